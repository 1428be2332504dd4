/// The blocks no sequence references, in eviction order: least recently freed first.
///
/// A doubly linked list threaded through two arrays (as vLLM's free-block queue), so a cached
/// block that a new request hits can leave the middle of the queue in O(1).
///
///     head → 7 → 2 → 11 → … → tail        (allocate from the head, free onto the tail)
struct FreeBlockQueue {
    private var previous: [Int32]
    private var next: [Int32]
    private var member: [Bool]
    private var head: Int32 = -1
    private var tail: Int32 = -1
    /// Blocks in the queue.
    private(set) var count = 0

    /// A queue holding blocks `0..<blockCount`, block 0 first.
    init(blockCount: Int) {
        previous = Array(repeating: -1, count: blockCount)
        next = Array(repeating: -1, count: blockCount)
        member = Array(repeating: false, count: blockCount)
        for block in 0..<Int32(blockCount) { append(block) }
    }

    /// Whether `block` is in the queue.
    func contains(_ block: Int32) -> Bool { member[Int(block)] }

    /// Adds `block` at the tail (most recently freed).
    mutating func append(_ block: Int32) {
        precondition(!member[Int(block)], "block \(block) is already free")
        member[Int(block)] = true
        previous[Int(block)] = tail
        next[Int(block)] = -1
        if tail >= 0 { next[Int(tail)] = block } else { head = block }
        tail = block
        count += 1
    }

    /// Takes the least recently freed block.
    mutating func popFirst() -> Int32? {
        guard head >= 0 else { return nil }
        let block = head
        remove(block)
        return block
    }

    /// Takes `block` out of the queue wherever it is.
    mutating func remove(_ block: Int32) {
        precondition(member[Int(block)], "block \(block) is not free")
        let before = previous[Int(block)], after = next[Int(block)]
        if before >= 0 { next[Int(before)] = after } else { head = after }
        if after >= 0 { previous[Int(after)] = before } else { tail = before }
        member[Int(block)] = false
        count -= 1
    }

    /// The blocks from head to tail (for tests and diagnostics).
    var ordered: [Int32] {
        var result: [Int32] = []
        var block = head
        while block >= 0 { result.append(block); block = next[Int(block)] }
        return result
    }
}
