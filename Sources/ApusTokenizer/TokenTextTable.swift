/// Every token's text as bytes in one buffer, plus an open-addressing hash index from
/// text to id: the `text_to_token` lookup that every encoder needs, without allocating
/// a `String` per lookup.
struct TokenTextTable: Sendable {
    /// Concatenated token texts; token `i` is `bytes[offsets[i]..<offsets[i+1]]`.
    let bytes: [UInt8]
    /// `count + 1` start offsets into `bytes`.
    let offsets: [Int]
    /// Hash slots holding token ids, -1 for empty; the count is a power of two.
    private let slots: [Int32]
    private let mask: Int

    /// Number of tokens.
    var count: Int { offsets.count - 1 }

    /// Builds the table; when two tokens share a text the later id wins, as in llama.cpp.
    init(texts: [[UInt8]]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(texts.reduce(0) { $0 + $1.count })
        var offsets: [Int] = [0]
        offsets.reserveCapacity(texts.count + 1)
        for text in texts {
            bytes.append(contentsOf: text)
            offsets.append(bytes.count)
        }
        var capacity = 16
        while capacity < texts.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { all in
            for id in texts.indices {
                let start = offsets[id], length = offsets[id + 1] - start
                var slot = Int(truncatingIfNeeded: TokenTextTable.hash(all.baseAddress! + start, length)) & mask
                while slots[slot] >= 0 {
                    let other = Int(slots[slot])
                    let otherStart = offsets[other], otherLength = offsets[other + 1] - otherStart
                    if otherLength == length && memoryEqual(all.baseAddress! + otherStart, all.baseAddress! + start, length) {
                        break
                    }
                    slot = (slot + 1) & mask
                }
                slots[slot] = Int32(id)
            }
        }
        self.bytes = bytes
        self.offsets = offsets
        self.slots = slots
        self.mask = mask
    }

    /// The id of the token whose text is exactly these bytes, or -1.
    @inline(__always)
    func id(of text: UnsafePointer<UInt8>, count length: Int) -> Int32 {
        var slot = Int(truncatingIfNeeded: TokenTextTable.hash(text, length)) & mask
        return bytes.withUnsafeBufferPointer { all in
            slots.withUnsafeBufferPointer { slots in
                offsets.withUnsafeBufferPointer { offsets in
                    while true {
                        let candidate = slots[slot]
                        if candidate < 0 { return -1 }
                        let start = offsets[Int(candidate)]
                        if offsets[Int(candidate) + 1] - start == length
                            && memoryEqual(all.baseAddress! + start, text, length) {
                            return candidate
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// The id of the token whose text is `text`, or -1.
    func id(of text: [UInt8]) -> Int32 {
        text.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return emptyTextID }
            return id(of: base, count: buffer.count)
        }
    }

    /// Empty texts never name a token (llama.cpp renames empty tokens on load).
    private var emptyTextID: Int32 { -1 }

    /// The bytes of token `id`.
    func text(of id: Int32) -> ArraySlice<UInt8> {
        bytes[offsets[Int(id)]..<offsets[Int(id) + 1]]
    }

    /// FNV-1a, 64-bit: short keys, cheap, good enough spread for token texts.
    @inline(__always)
    static func hash(_ pointer: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in 0..<length {
            hash = (hash ^ UInt64(pointer[index])) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// Byte-wise equality of two buffers of `length` bytes.
@inline(__always)
func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
    var index = 0
    while index < length {
        if a[index] != b[index] { return false }
        index += 1
    }
    return true
}
