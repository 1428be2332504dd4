/// The codepoint classes the pre-tokenizers test: `\p{N}`, `\p{L}`, `\p{P}`, `\p{S}`, `\p{M}`, `\s`.
///
/// Built from the generated `unicodeFlagRuns` (Unicode 15.1, the data llama.cpp classifies
/// with), so splitting decisions are identical to llama.cpp's for every codepoint.
public struct UnicodeFlags: OptionSet, Sendable, Hashable {
    /// The flag bits.
    public let rawValue: UInt8
    /// Flags from their bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// General category N (decimal, letter and other numbers).
    public static let number = UnicodeFlags(rawValue: 1)
    /// General category L.
    public static let letter = UnicodeFlags(rawValue: 2)
    /// General category P.
    public static let punctuation = UnicodeFlags(rawValue: 4)
    /// General category S.
    public static let symbol = UnicodeFlags(rawValue: 8)
    /// General category M (combining marks).
    public static let mark = UnicodeFlags(rawValue: 16)
    /// The Unicode White_Space property.
    public static let whitespace = UnicodeFlags(rawValue: 32)
    /// Set for every real codepoint; empty flags mean "outside the text being split",
    /// which llama.cpp's scanners test for.
    public static let present = UnicodeFlags(rawValue: 64)

    /// The flags of `codepoint` (empty for values past U+10FFFF).
    @inline(__always)
    public static func of(_ codepoint: UInt32) -> UnicodeFlags {
        if codepoint < 128 { return UnicodeFlags(rawValue: asciiTable[Int(codepoint)]) }
        guard codepoint < 0x110000 else { return [] }
        return UnicodeFlags(rawValue: fullTable[Int(codepoint)])
    }

    /// One byte per codepoint; 1.1 MB, built once on first use from the run list.
    static let fullTable: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x110000)
        var starts: [Int] = []
        var values: [UInt8] = []
        for run in unicodeFlagRuns.split(separator: ",") {
            let parts = run.split(separator: ":")
            guard parts.count == 2, let start = Int(parts[0], radix: 16), let value = UInt8(parts[1], radix: 16)
            else { continue }
            starts.append(start)
            values.append(value | UnicodeFlags.present.rawValue)
        }
        for index in starts.indices {
            let end = index + 1 < starts.count ? starts[index + 1] : 0x110000
            let value = values[index]
            for codepoint in starts[index]..<end { table[codepoint] = value }
        }
        return table
    }()

    /// The first 128 entries, copied so ASCII text never touches the large table.
    static let asciiTable: [UInt8] = Array(fullTable[0..<128])
}
