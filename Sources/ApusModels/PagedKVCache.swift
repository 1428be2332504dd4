import ApusKernels

/// Keys and values of every layer, in fixed-size blocks shared out to sequences through
/// per-sequence block tables (the paged layout the serving engine manages).
///
///     sequence 7: positions 0…15 → block 3, 16…31 → block 9, 32… → block 4
///     block storage per layer: [block][kvHead][slot][headDimension] as Float16
///
/// Stored as half floats as llama.cpp's default cache is, which also halves the bytes
/// attention streams. This type owns the blocks and a simple free list; the engine's
/// scheduler will decide who gets blocks, this type only hands them out.
public final class PagedKVCache: @unchecked Sendable {
    /// Storage geometry.
    public let layout: PagedAttentionLayout
    /// Number of layers.
    public let layerCount: Int
    /// Total blocks.
    public let blockCount: Int
    private let keys: UnsafeMutablePointer<Float16>
    private let values: UnsafeMutablePointer<Float16>
    private var freeBlocks: [Int32]
    private var tables: [Int: [Int32]] = [:]

    /// Allocates `blockCount` blocks for every layer.
    public init(layerCount: Int, layout: PagedAttentionLayout, blockCount: Int) {
        self.layout = layout
        self.layerCount = layerCount
        self.blockCount = blockCount
        let elements = layerCount * blockCount * layout.elementsPerBlock
        keys = .allocate(capacity: max(elements, 1))
        values = .allocate(capacity: max(elements, 1))
        keys.initialize(repeating: 0, count: max(elements, 1))
        values.initialize(repeating: 0, count: max(elements, 1))
        freeBlocks = (0..<Int32(blockCount)).reversed()
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Token positions the cache can hold in all.
    public var capacityTokens: Int { blockCount * layout.blockSize }
    /// Blocks not owned by any sequence.
    public var freeBlockCount: Int { freeBlocks.count }

    /// Makes sure `sequence` has blocks for positions `0..<tokens`.
    public func reserve(sequence: Int, tokens: Int) throws(ModelError) {
        var table = tables[sequence] ?? []
        let needed = (tokens + layout.blockSize - 1) / layout.blockSize
        guard needed - table.count <= freeBlocks.count else {
            throw .cacheFull(neededTokens: tokens, capacityTokens: capacityTokens)
        }
        while table.count < needed { table.append(freeBlocks.removeLast()) }
        tables[sequence] = table
    }

    /// Returns every block of `sequence` to the free list.
    public func release(sequence: Int) {
        guard let table = tables.removeValue(forKey: sequence) else { return }
        freeBlocks.append(contentsOf: table.reversed())
    }

    /// Keeps only the first `tokens` positions of `sequence`, freeing whole blocks past them.
    public func truncate(sequence: Int, tokens: Int) {
        guard var table = tables[sequence] else { return }
        let keep = (tokens + layout.blockSize - 1) / layout.blockSize
        while table.count > keep { freeBlocks.append(table.removeLast()) }
        tables[sequence] = table
    }

    /// Gives `sequence` the block table `blocks`, chosen by an external block manager (the
    /// serving engine's). Such a sequence's blocks are not on this cache's free list: use
    /// `removeBlockTable`, not `release`, when it ends.
    public func setBlockTable(_ blocks: [Int32], sequence: Int) {
        tables[sequence] = blocks
    }

    /// Forgets `sequence`'s table without touching the free list (see `setBlockTable`).
    public func removeBlockTable(sequence: Int) {
        tables[sequence] = nil
    }

    /// Takes every block away from this cache's own free list, for an external block manager
    /// that hands them out itself.
    public func surrenderBlocks() {
        freeBlocks.removeAll()
    }

    /// Copies block `source`'s keys and values, every layer, into block `destination`
    /// (copy on write when a shared block is about to be written).
    public func copyBlock(_ source: Int32, to destination: Int32) {
        let count = layout.elementsPerBlock
        for layer in 0..<layerCount {
            let base = layer * blockCount * count
            (keys + base + Int(destination) * count).update(from: keys + base + Int(source) * count, count: count)
            (values + base + Int(destination) * count).update(from: values + base + Int(source) * count, count: count)
        }
    }

    /// Positions `sequence` has blocks for.
    public func reservedTokens(sequence: Int) -> Int { (tables[sequence]?.count ?? 0) * layout.blockSize }

    /// The block table of `sequence` (empty if it has none).
    public func blockTable(sequence: Int) -> [Int32] { tables[sequence] ?? [] }

    /// Start of layer `layer`'s key storage.
    public func keys(layer: Int) -> UnsafeMutablePointer<Float16> { keys + layer * blockCount * layout.elementsPerBlock }
    /// Start of layer `layer`'s value storage.
    public func values(layer: Int) -> UnsafeMutablePointer<Float16> { values + layer * blockCount * layout.elementsPerBlock }
}
