/// An element that knows which of two comes out of a `BinaryHeap` first.
public protocol HeapOrdered {
    /// Whether `a` must leave the heap before `b`.
    static func comesBefore(_ a: Self, _ b: Self) -> Bool
}

/// A binary heap over an array whose storage is kept between uses, so the tokenizers'
/// merge queues and the sampler's top-k allocate nothing per call.
public struct BinaryHeap<Element: HeapOrdered> {
    /// The elements in heap order (the first one leaves next).
    public private(set) var elements: [Element] = []

    /// An empty heap.
    public init() {}

    /// Number of elements.
    public var count: Int { elements.count }
    /// The element that leaves next.
    public var first: Element? { elements.first }

    /// Removes every element, keeping capacity.
    public mutating func removeAll() { elements.removeAll(keepingCapacity: true) }

    /// Adds `element`.
    public mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Element.comesBefore(elements[child], elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the element that comes first.
    public mutating func popFirst() -> Element? {
        guard let first = elements.first else { return nil }
        let last = elements.removeLast()
        if !elements.isEmpty {
            elements[0] = last
            siftDown(from: 0)
        }
        return first
    }

    /// Replaces the first element with `element` (cheaper than pop + insert).
    public mutating func replaceFirst(with element: Element) {
        precondition(!elements.isEmpty, "replaceFirst on an empty heap")
        elements[0] = element
        siftDown(from: 0)
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < elements.count && Element.comesBefore(elements[left], elements[best]) { best = left }
            if right < elements.count && Element.comesBefore(elements[right], elements[best]) { best = right }
            if best == parent { return }
            elements.swapAt(parent, best)
            parent = best
        }
    }
}
