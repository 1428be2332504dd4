/// A sequence's cache blocks in position order, and the hashes of the full blocks that have
/// been registered for prefix reuse (always a prefix of `blocks`).
///
///     positions  0…15   16…31   32…40
///     blocks     [ 3  ,   9   ,   4  ]   (block 4 partly filled)
///     hashes     [ h0 ,   h1  ]          (h1 chained from h0)
public struct BlockTable: Sendable, Equatable {
    /// Block ids, one per `blockSize` positions.
    public internal(set) var blocks: [Int32] = []
    /// Chained hashes of the first `hashes.count` blocks, which are full and computed.
    var hashes: [BlockHash] = []

    /// An empty table.
    public init() {}
}

/// Copy one block's keys and values to another before a write (copy on write).
public struct BlockCopy: Sendable, Equatable {
    /// Block read.
    public let source: Int32
    /// Block written.
    public let destination: Int32
}
