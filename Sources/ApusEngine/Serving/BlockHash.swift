/// The identity of a full block of cached keys and values: a hash chained from the previous
/// block's hash and this block's token ids, so equal hashes mean equal whole prefixes.
///
/// The block manager also keeps each cached block's parent hash and tokens and compares
/// them on a hit, so a 64-bit collision can never serve the wrong keys and values.
struct BlockHash: Hashable, Sendable {
    let value: UInt64

    /// The hash of a prompt's first block's predecessor.
    static let root = BlockHash(value: 0x243F_6A88_85A3_08D3)

    /// The hash of the block holding `tokens` after the block hashed `parent`.
    init(parent: BlockHash, tokens: ArraySlice<Int>) {
        var h = parent.value
        for token in tokens {
            h = BlockHash.mix(h ^ UInt64(bitPattern: Int64(token)))
        }
        value = BlockHash.mix(h ^ UInt64(tokens.count))
    }

    private init(value: UInt64) { self.value = value }

    /// SplitMix64's finalizer: every input bit affects every output bit.
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
