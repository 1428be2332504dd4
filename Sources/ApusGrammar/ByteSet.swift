/// A set of byte values, one bit each: the terminal symbol of a grammar.
public struct ByteSet: Sendable, Hashable {
    /// Bits, byte `b` at word `b / 64`, bit `b % 64`.
    var words: (UInt64, UInt64, UInt64, UInt64)

    /// The empty set.
    public init() { words = (0, 0, 0, 0) }

    /// The bytes `range`.
    public init(_ range: ClosedRange<UInt8>) {
        self.init()
        for byte in range { insert(byte) }
    }

    /// The single byte `byte`.
    public init(byte: UInt8) {
        self.init()
        insert(byte)
    }

    /// Whether `byte` is in the set.
    @inline(__always)
    public func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    /// Adds `byte`.
    public mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// Bytes in either set.
    public func union(_ other: ByteSet) -> ByteSet {
        var result = self
        result.words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
        return result
    }

    /// Whether no byte is in the set.
    public var isEmpty: Bool { words.0 | words.1 | words.2 | words.3 == 0 }

    /// Number of bytes in the set.
    public var count: Int {
        words.0.nonzeroBitCount + words.1.nonzeroBitCount + words.2.nonzeroBitCount + words.3.nonzeroBitCount
    }

    /// The set as maximal runs of consecutive bytes, ascending.
    public var ranges: [ClosedRange<UInt8>] {
        var result: [ClosedRange<UInt8>] = []
        var start: Int? = nil
        for value in 0...256 {
            let inside = value < 256 && contains(UInt8(value))
            if inside, start == nil { start = value }
            if !inside, let first = start {
                result.append(UInt8(first)...UInt8(value - 1))
                start = nil
            }
        }
        return result
    }

    public static func == (lhs: ByteSet, rhs: ByteSet) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
