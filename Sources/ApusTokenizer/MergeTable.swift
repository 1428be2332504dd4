/// BPE merge ranks keyed by the ids of the two symbols being merged.
///
/// llama.cpp looks merges up by the two texts; symbols here carry ids instead, so the
/// table maps (left id, right id) to (rank, merged id). Texts that are not tokens but occur
/// in merges get ids past the vocabulary ("extended" ids) so that merging stays exact.
struct MergeTable: Sendable {
    private let keys: [UInt64]
    private let values: [UInt64]
    private let mask: Int
    /// Texts of the extended ids, in order starting at the vocabulary's count.
    let extendedTexts: [[UInt8]]
    /// Extended id of a single GPT-2 character that is a merge component but not a token.
    let extendedIDs: [[UInt8]: Int32]

    static let emptyKey = UInt64.max

    init(texts: TokenTextTable, merges: [String]) {
        var extendedTexts: [[UInt8]] = []
        var extendedIDs: [[UInt8]: Int32] = [:]
        func id(of text: [UInt8]) -> Int32 {
            let found = texts.id(of: text)
            if found >= 0 { return found }
            if let known = extendedIDs[text] { return known }
            let new = Int32(texts.count + extendedTexts.count)
            extendedTexts.append(text)
            extendedIDs[text] = new
            return new
        }
        var capacity = 16
        while capacity < merges.count * 2 { capacity <<= 1 }
        var keys = [UInt64](repeating: MergeTable.emptyKey, count: capacity)
        var values = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        for (rank, merge) in merges.enumerated() {
            let bytes = Array(merge.utf8)
            // Split at the first space after the first byte, as llama.cpp does; a line
            // without one becomes the pair ("", "") which never matches.
            guard bytes.count > 1, let space = bytes[1...].firstIndex(of: 0x20) else { continue }
            let left = Array(bytes[..<space]), right = Array(bytes[(space + 1)...])
            guard !left.isEmpty, !right.isEmpty else { continue }
            let key = UInt64(UInt32(bitPattern: id(of: left))) << 32 | UInt64(UInt32(bitPattern: id(of: right)))
            let merged = id(of: left + right)
            var slot = MergeTable.slot(key, mask)
            while keys[slot] != MergeTable.emptyKey && keys[slot] != key { slot = (slot + 1) & mask }
            // The first occurrence of a pair keeps its rank (std::map::emplace).
            if keys[slot] == key { continue }
            keys[slot] = key
            values[slot] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))
        }
        self.keys = keys
        self.values = values
        self.mask = mask
        self.extendedTexts = extendedTexts
        self.extendedIDs = extendedIDs
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    /// The rank and merged id for merging `left` then `right`, or nil when they do not merge.
    @inline(__always)
    func merge(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = MergeTable.slot(key, mask)
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let found = keys[slot]
                if found == key {
                    let value = values[slot]
                    return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value))
                }
                if found == MergeTable.emptyKey { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}
