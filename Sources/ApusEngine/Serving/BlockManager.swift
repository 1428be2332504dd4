/// Hands out the KV cache's fixed-size blocks to sequences, with reference counts, prefix
/// caching and copy on write. A value type with no I/O: the runner carries out the copies
/// it asks for.
///
/// A full, computed block is registered under a hash chained from its parent block's hash
/// and its tokens, so a later prompt that starts with the same tokens takes the block
/// instead of recomputing it. A block nobody references goes onto the free queue but keeps
/// its registration: it is reused by a hit, or evicted (least recently freed first) only
/// when a fresh block is needed.
///
/// Use as nano-vllm does: ask (`canAllocate`), then act (`allocate`); `free` gives blocks back.
public struct BlockManager: Sendable {
    /// Token positions per block.
    public let blockSize: Int
    /// Blocks in the pool.
    public let blockCount: Int
    private var referenceCounts: [Int32]
    private var free: FreeBlockQueue
    /// Registration of each block: its hash, its parent's hash and its tokens (for exact checks).
    private var registered: [Registration?]
    private var blockByHash: [BlockHash: Int32] = [:]

    private struct Registration: Sendable {
        let hash: BlockHash
        let parent: BlockHash
        let tokens: [Int]
    }

    /// A pool of `blockCount` free blocks of `blockSize` positions.
    public init(blockCount: Int, blockSize: Int) {
        precondition(blockCount > 0 && blockSize > 0, "a block manager needs blocks")
        self.blockSize = blockSize
        self.blockCount = blockCount
        referenceCounts = Array(repeating: 0, count: blockCount)
        free = FreeBlockQueue(blockCount: blockCount)
        registered = Array(repeating: nil, count: blockCount)
    }

    /// Blocks no sequence references (cached or empty).
    public var freeBlockCount: Int { free.count }
    /// Blocks some sequence references.
    public var usedBlockCount: Int { blockCount - free.count }
    /// Blocks registered for prefix reuse (in use or free).
    public var cachedBlockCount: Int { blockByHash.count }
    /// Reference count of `block` (for tests and assertions).
    public func referenceCount(_ block: Int32) -> Int { Int(referenceCounts[Int(block)]) }
    /// Free blocks in eviction order, first evicted first (for tests).
    var evictionOrder: [Int32] { free.ordered }

    // MARK: Prefix hits

    /// The cached blocks that hold the longest whole-block prefix of `tokens`, leaving at
    /// least one token to compute (its logits are needed), with their chained hashes.
    public func cachedPrefix(of tokens: [Int]) -> BlockTable {
        var table = BlockTable()
        var parent = BlockHash.root
        let limit = (tokens.count - 1) / blockSize
        for index in 0..<max(limit, 0) {
            let slice = tokens[(index * blockSize)..<((index + 1) * blockSize)]
            let hash = BlockHash(parent: parent, tokens: slice)
            guard let block = blockByHash[hash], let entry = registered[Int(block)],
                  entry.parent == parent, entry.tokens.elementsEqual(slice) else { break }
            table.blocks.append(block)
            table.hashes.append(hash)
            parent = hash
        }
        return table
    }

    // MARK: Allocation

    /// Fresh blocks `allocate` would take for `table` to cover `tokens` positions, writing from
    /// position `computed` on, after first taking the prefix-hit blocks `hits` (when the table
    /// is empty): new blocks, a copy-on-write block, and hit blocks that are now free.
    public func blocksNeeded(for table: BlockTable, hits: BlockTable = .init(), computed: Int, tokens: Int) -> Int {
        let have = table.blocks.count + hits.blocks.count
        var needed = max(0, (tokens + blockSize - 1) / blockSize - have)
        if needsCopy(table, writingAt: computed) { needed += 1 }
        needed += hits.blocks.reduce(0) { $0 + (referenceCounts[Int($1)] == 0 ? 1 : 0) }
        return needed
    }

    /// Whether `allocate` with the same arguments would succeed.
    public func canAllocate(for table: BlockTable, hits: BlockTable = .init(), computed: Int, tokens: Int) -> Bool {
        blocksNeeded(for: table, hits: hits, computed: computed, tokens: tokens) <= free.count
    }

    /// Makes `table` cover positions `0..<tokens`, given that positions from `computed` on will
    /// be written: takes the hit blocks `hits` first (an empty table only), copies a shared
    /// block about to be written, and appends fresh blocks. Returns the copies to carry out
    /// before the write, or `nil` (changing nothing) if there are not enough free blocks.
    public mutating func allocate(_ table: inout BlockTable, hits: BlockTable = .init(), computed: Int,
                                  tokens: Int) -> [BlockCopy]? {
        guard canAllocate(for: table, hits: hits, computed: computed, tokens: tokens) else { return nil }
        precondition(hits.blocks.isEmpty || table.blocks.isEmpty, "prefix hits go into an empty table")
        for block in hits.blocks { retain(block) }
        table.blocks += hits.blocks
        table.hashes += hits.hashes
        var copies: [BlockCopy] = []
        let written = computed / blockSize
        if needsCopy(table, writingAt: computed) {
            let shared = table.blocks[written]
            let copy = takeFreshBlock()
            copies.append(BlockCopy(source: shared, destination: copy))
            release(shared)
            table.blocks[written] = copy
            table.hashes.removeSubrange(min(written, table.hashes.count)...)
        }
        while table.blocks.count * blockSize < tokens { table.blocks.append(takeFreshBlock()) }
        return copies
    }

    /// Whether the block that position `position` falls in is shared and would need a copy.
    private func needsCopy(_ table: BlockTable, writingAt position: Int) -> Bool {
        let index = position / blockSize
        return index < table.blocks.count && referenceCounts[Int(table.blocks[index])] > 1
    }

    /// A second table sharing every block of `table` (a forked sequence); copy on write
    /// separates them when one writes into a shared block.
    public mutating func fork(_ table: BlockTable) -> BlockTable {
        for block in table.blocks { retain(block) }
        return table
    }

    /// Gives back every block of `table` (last block first, so a sequence's tail is evicted
    /// before its prefix) and empties it.
    public mutating func free(_ table: inout BlockTable) {
        for block in table.blocks.reversed() { release(block) }
        table = BlockTable()
    }

    /// Shrinks `table` to positions `0..<tokens` (rolling back rejected speculative tokens),
    /// freeing the blocks past them. A registered block that becomes partial and is not
    /// shared loses its registration, since its tail will be overwritten.
    public mutating func truncate(_ table: inout BlockTable, tokens: Int) {
        let keep = (tokens + blockSize - 1) / blockSize
        while table.blocks.count > keep { release(table.blocks.removeLast()) }
        let full = tokens / blockSize
        if table.hashes.count > full {
            table.hashes.removeSubrange(full...)
            if let last = table.blocks.last, full < table.blocks.count, referenceCounts[Int(last)] == 1 {
                unregister(last)
            }
        }
    }

    // MARK: Registration

    /// Registers the blocks of `table` that are full once `computed` positions of `tokens` are
    /// computed, continuing the table's hash chain. A block whose content is already cached
    /// under another id keeps its place in the chain but is not registered twice.
    public mutating func registerFullBlocks(_ table: inout BlockTable, tokens: [Int], computed: Int) {
        let full = min(computed / blockSize, table.blocks.count)
        while table.hashes.count < full {
            let index = table.hashes.count
            let parent = table.hashes.last ?? .root
            let slice = tokens[(index * blockSize)..<((index + 1) * blockSize)]
            let hash = BlockHash(parent: parent, tokens: slice)
            let block = table.blocks[index]
            if blockByHash[hash] == nil, registered[Int(block)] == nil {
                blockByHash[hash] = block
                registered[Int(block)] = Registration(hash: hash, parent: parent, tokens: Array(slice))
            }
            table.hashes.append(hash)
        }
    }

    // MARK: Reference counts

    private mutating func retain(_ block: Int32) {
        if referenceCounts[Int(block)] == 0 { free.remove(block) }
        referenceCounts[Int(block)] += 1
    }

    private mutating func release(_ block: Int32) {
        referenceCounts[Int(block)] -= 1
        precondition(referenceCounts[Int(block)] >= 0, "block \(block) released more often than taken")
        if referenceCounts[Int(block)] == 0 { free.append(block) }
    }

    /// Takes the least recently freed block, evicting its cached contents.
    private mutating func takeFreshBlock() -> Int32 {
        guard let block = free.popFirst() else { preconditionFailure("allocate checked the free count") }
        unregister(block)
        referenceCounts[Int(block)] = 1
        return block
    }

    private mutating func unregister(_ block: Int32) {
        guard let entry = registered[Int(block)] else { return }
        if blockByHash[entry.hash] == block { blockByHash[entry.hash] = nil }
        registered[Int(block)] = nil
    }
}
