/// GPT-2's byte-level alphabet: each of the 256 byte values is written as one printable
/// codepoint, so byte-level BPE vocabularies store `" hello"` as `"Ġhello"`.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves; the other 68
/// bytes take U+0100 upward in byte order.
enum ByteLevelAlphabet {
    /// The codepoint that stands for each byte.
    static let codepointOfByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The UTF-8 encoding of each byte's stand-in codepoint.
    static let utf8OfByte: [[UInt8]] = codepointOfByte.map { utf8Bytes(of: $0) }

    /// The byte a stand-in codepoint means, or nil for codepoints outside the alphabet.
    static func byte(of codepoint: UInt32) -> UInt8? {
        if codepoint < 0x21 { return nil }
        if codepoint <= 0xFF {
            let byte = UInt8(codepoint)
            return codepointOfByte[Int(byte)] == codepoint ? byte : nil
        }
        if codepoint < 256 + 68 {
            return byteOfHighCodepoint[Int(codepoint - 256)]
        }
        return nil
    }

    private static let byteOfHighCodepoint: [UInt8] = {
        var result = [UInt8](repeating: 0, count: 68)
        for byte in 0..<256 where codepointOfByte[byte] >= 256 {
            result[Int(codepointOfByte[byte] - 256)] = UInt8(byte)
        }
        return result
    }()
}

/// The UTF-8 bytes of a codepoint (no validation: callers pass real scalars).
func utf8Bytes(of codepoint: UInt32) -> [UInt8] {
    var out: [UInt8] = []
    appendUTF8(codepoint, to: &out)
    return out
}

/// Appends the UTF-8 encoding of `codepoint`.
@inline(__always)
func appendUTF8(_ codepoint: UInt32, to out: inout [UInt8]) {
    switch codepoint {
    case 0..<0x80:
        out.append(UInt8(codepoint))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | (codepoint >> 6)))
        out.append(UInt8(0x80 | (codepoint & 0x3F)))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | (codepoint >> 12)))
        out.append(UInt8(0x80 | ((codepoint >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (codepoint & 0x3F)))
    default:
        out.append(UInt8(0xF0 | (codepoint >> 18)))
        out.append(UInt8(0x80 | ((codepoint >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((codepoint >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (codepoint & 0x3F)))
    }
}
