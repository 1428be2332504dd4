@testable import ApusEngine
import Testing

@Suite struct BlockManagerTests {
    @Test func allocatesWholeBlocksAndFreesThemLastFirst() {
        var manager = BlockManager(blockCount: 8, blockSize: 4)
        var table = BlockTable()
        #expect(manager.allocate(&table, computed: 0, tokens: 9) == [])
        #expect(table.blocks.count == 3)
        #expect(manager.freeBlockCount == 5)
        manager.free(&table)
        #expect(manager.freeBlockCount == 8)
        // The sequence's last block is evicted first, its first block last.
        #expect(Array(manager.evictionOrder.suffix(3)) == [2, 1, 0])
    }

    @Test func refusesWithoutChangingAnythingWhenFull() {
        var manager = BlockManager(blockCount: 2, blockSize: 4)
        var table = BlockTable()
        #expect(manager.allocate(&table, computed: 0, tokens: 12) == nil)
        #expect(table.blocks.isEmpty)
        #expect(manager.freeBlockCount == 2)
        #expect(!manager.canAllocate(for: table, computed: 0, tokens: 9))
        #expect(manager.canAllocate(for: table, computed: 0, tokens: 8))
    }

    @Test func fullBlocksAreFoundByChainedHash() {
        var manager = BlockManager(blockCount: 16, blockSize: 4)
        let prompt = Array(100..<110)   // two full blocks and two tokens
        var first = BlockTable()
        _ = manager.allocate(&first, computed: 0, tokens: prompt.count)
        manager.registerFullBlocks(&first, tokens: prompt, computed: prompt.count)
        #expect(manager.cachedBlockCount == 2)

        // Same first eight tokens: both blocks hit; a different first block: nothing hits,
        // even though the second block's tokens are equal (the hash is chained).
        #expect(manager.cachedPrefix(of: Array(100..<108) + [1, 2, 3]).blocks == Array(first.blocks.prefix(2)))
        #expect(manager.cachedPrefix(of: [0, 1, 2, 3] + Array(104..<112)).blocks.isEmpty)
        // At least one token is left to compute: an exact 8-token prompt reuses one block only.
        #expect(manager.cachedPrefix(of: Array(100..<108)).blocks.count == 1)

        // A hit on a block in use shares it; freed, it stays cached until evicted.
        var second = BlockTable()
        let hits = manager.cachedPrefix(of: prompt)
        _ = manager.allocate(&second, hits: hits, computed: 8, tokens: 12)
        #expect(manager.referenceCount(first.blocks[0]) == 2)
        manager.free(&first)
        manager.free(&second)
        #expect(manager.freeBlockCount == 16)
        #expect(manager.cachedPrefix(of: prompt).blocks.count == 2)
    }

    @Test func evictsLeastRecentlyFreedFirst() {
        var manager = BlockManager(blockCount: 4, blockSize: 2)
        var a = BlockTable(), b = BlockTable()
        _ = manager.allocate(&a, computed: 0, tokens: 4)
        manager.registerFullBlocks(&a, tokens: [1, 2, 3, 4], computed: 4)
        _ = manager.allocate(&b, computed: 0, tokens: 4)
        manager.registerFullBlocks(&b, tokens: [5, 6, 7, 8], computed: 4)
        manager.free(&a)   // freed first: evicted first
        manager.free(&b)
        var c = BlockTable()
        _ = manager.allocate(&c, computed: 0, tokens: 4)   // takes a's two blocks
        #expect(manager.cachedPrefix(of: [1, 2, 3, 4, 9]).blocks.isEmpty)
        #expect(manager.cachedPrefix(of: [5, 6, 7, 8, 9]).blocks.count == 2)
    }

    @Test func forkedPartialBlockIsCopiedOnWrite() {
        var manager = BlockManager(blockCount: 8, blockSize: 4)
        var parent = BlockTable()
        _ = manager.allocate(&parent, computed: 0, tokens: 6)   // blocks: full + partial
        var child = manager.fork(parent)
        #expect(manager.referenceCount(parent.blocks[1]) == 2)
        // The child writes position 6 into the shared partial block: it gets its own copy.
        let copies = manager.allocate(&child, computed: 6, tokens: 7)
        #expect(copies?.count == 1)
        #expect(copies?.first?.source == parent.blocks[1])
        #expect(child.blocks[0] == parent.blocks[0])
        #expect(child.blocks[1] != parent.blocks[1])
        #expect(manager.referenceCount(parent.blocks[1]) == 1)
        // The parent now owns its partial block alone: no copy.
        #expect(manager.allocate(&parent, computed: 6, tokens: 7) == [])
    }

    @Test func truncateFreesTailAndUnregistersAPartialBlock() {
        var manager = BlockManager(blockCount: 8, blockSize: 4)
        var table = BlockTable()
        let tokens = Array(0..<12)
        _ = manager.allocate(&table, computed: 0, tokens: 12)
        manager.registerFullBlocks(&table, tokens: tokens, computed: 12)
        manager.truncate(&table, tokens: 6)
        #expect(table.blocks.count == 2)
        #expect(manager.freeBlockCount == 6)
        // Block 1 will be overwritten from position 6: it must not be served as cached.
        #expect(manager.cachedPrefix(of: tokens + [99]).blocks.count == 1)
    }

    /// 10,000 random allocate / fork / append / register / truncate / free operations on
    /// live tables; counts never go negative (the manager traps) and every block is free at the end.
    @Test func randomOperationsEndWithEveryBlockFree() {
        var random = TestRandom(seed: 42)
        var manager = BlockManager(blockCount: 64, blockSize: 4)
        var live: [(table: BlockTable, tokens: [Int], computed: Int)] = []
        for _ in 0..<10_000 {
            switch random.next(below: 6) {
            case 0:   // submit: a prompt from a small alphabet, so prefixes repeat
                let tokens = (0..<(1 + random.next(below: 20))).map { _ in random.next(below: 3) }
                let hits = manager.cachedPrefix(of: tokens)
                var table = BlockTable()
                let computed = hits.blocks.count * 4
                if manager.allocate(&table, hits: hits, computed: computed, tokens: tokens.count) != nil {
                    live.append((table, tokens, computed))
                }
            case 1 where !live.isEmpty:   // fork
                let source = live[random.next(below: live.count)]
                live.append((manager.fork(source.table), source.tokens, source.computed))
            case 2 where !live.isEmpty:   // compute everything and append a token
                let i = random.next(below: live.count)
                var entry = live[i]
                if manager.allocate(&entry.table, computed: entry.computed, tokens: entry.tokens.count + 1) != nil {
                    entry.computed = entry.tokens.count
                    manager.registerFullBlocks(&entry.table, tokens: entry.tokens, computed: entry.computed)
                    entry.tokens.append(random.next(below: 3))
                    live[i] = entry
                }
            case 3 where !live.isEmpty:   // roll back
                let i = random.next(below: live.count)
                let keep = random.next(below: live[i].tokens.count + 1)
                manager.truncate(&live[i].table, tokens: min(keep, live[i].computed))
                live[i].computed = min(keep, live[i].computed)
                live[i].tokens = Array(live[i].tokens.prefix(max(keep, live[i].computed)))
            case 4, 5:   // finish or cancel
                guard !live.isEmpty else { continue }
                var entry = live.remove(at: random.next(below: live.count))
                manager.free(&entry.table)
            default: continue
            }
            #expect(manager.usedBlockCount <= manager.blockCount)
        }
        for i in live.indices { manager.free(&live[i].table) }
        #expect(manager.freeBlockCount == manager.blockCount)
        for block in 0..<Int32(manager.blockCount) { #expect(manager.referenceCount(block) == 0) }
    }
}

/// A seeded generator for randomized tests (SplitMix64).
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
