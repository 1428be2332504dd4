import ApusCore
import Testing

struct MinInt: HeapOrdered, Equatable {
    let value: Int
    static func comesBefore(_ a: MinInt, _ b: MinInt) -> Bool { a.value < b.value }
}

@Suite struct BinaryHeapTests {
    @Test func popsInOrder() {
        var rng = SystemRandomNumberGenerator()
        let values = (0..<500).map { _ in Int.random(in: -1000...1000, using: &rng) }
        var heap = BinaryHeap<MinInt>()
        values.forEach { heap.insert(MinInt(value: $0)) }
        #expect(heap.count == values.count)
        var popped: [Int] = []
        while let next = heap.popFirst() { popped.append(next.value) }
        #expect(popped == values.sorted())
        #expect(heap.popFirst() == nil)
    }

    @Test func replaceFirstKeepsTheLargestK() {
        // A min-heap of size 3 fed 10 values keeps the 3 largest.
        var heap = BinaryHeap<MinInt>()
        for v in [5, 1, 9] { heap.insert(MinInt(value: v)) }
        for v in [7, 2, 8, 3, 10, 0, 6] where v > heap.first!.value { heap.replaceFirst(with: MinInt(value: v)) }
        #expect(heap.elements.map(\.value).sorted() == [8, 9, 10])
        heap.removeAll()
        #expect(heap.count == 0 && heap.first == nil)
    }
}
