/// A set of Unicode scalar values as sorted, disjoint, non-adjacent closed ranges: the
/// character classes of regular expressions, GBNF and JSON strings before they are
/// lowered to UTF-8 bytes.
public struct CodePointSet: Sendable, Hashable {
    /// Sorted disjoint ranges; surrogates (U+D800–U+DFFF) are never members.
    public private(set) var ranges: [ClosedRange<UInt32>]

    /// Largest Unicode scalar value.
    public static let maximum: UInt32 = 0x10FFFF

    /// The empty set.
    public init() { ranges = [] }

    /// The scalars in `ranges` (any order, may overlap), without surrogates.
    public init(_ ranges: [ClosedRange<UInt32>]) {
        self.ranges = Self.normalize(ranges)
    }

    /// A single scalar.
    public init(scalar: UInt32) { self.init([scalar...scalar]) }

    /// Every scalar value.
    public static let all = CodePointSet([0...maximum])

    /// Whether `scalar` is in the set.
    public func contains(_ scalar: UInt32) -> Bool {
        ranges.contains { $0.contains(scalar) }
    }

    /// Scalars in either set.
    public func union(_ other: CodePointSet) -> CodePointSet {
        CodePointSet(ranges + other.ranges)
    }

    /// Scalars not in this set.
    public var inverted: CodePointSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound + 1
        }
        if next <= Self.maximum { result.append(next...Self.maximum) }
        return CodePointSet(result)
    }

    /// Scalars in this set and not in `other`.
    public func subtracting(_ other: CodePointSet) -> CodePointSet {
        CodePointSet(other.union(inverted).inverted.ranges)
    }

    /// Whether the set has no members.
    public var isEmpty: Bool { ranges.isEmpty }

    private static func normalize(_ input: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var pieces: [ClosedRange<UInt32>] = []
        for range in input where range.lowerBound <= maximum {
            let upper = min(range.upperBound, maximum)
            // Surrogates are not scalars: cut them out of every range.
            if range.lowerBound < 0xD800 { pieces.append(range.lowerBound...min(upper, 0xD7FF)) }
            if upper > 0xDFFF { pieces.append(max(range.lowerBound, 0xE000)...upper) }
        }
        pieces.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in pieces {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}

extension CodePointSet {
    /// The grammar expression matching exactly the UTF-8 encodings of the set's scalars.
    public var utf8Expression: GrammarExpression {
        var alternatives: [GrammarExpression] = []
        for range in ranges {
            for sequence in Self.utf8Sequences(range.lowerBound, range.upperBound) {
                alternatives.append(.sequence(sequence.map { .bytes(ByteSet($0)) }))
            }
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    /// Splits `[low, high]` into ranges whose UTF-8 encodings are products of byte ranges
    /// (the construction of RE2 and Rust's utf8-ranges).
    static func utf8Sequences(_ low: UInt32, _ high: UInt32) -> [[ClosedRange<UInt8>]] {
        // Different encoded lengths never share a byte-range product.
        for boundary: UInt32 in [0x7F, 0x7FF, 0xFFFF] where low <= boundary && high > boundary {
            return utf8Sequences(low, boundary) + utf8Sequences(boundary + 1, high)
        }
        if high <= 0x7F { return [[UInt8(low)...UInt8(high)]] }
        let length = low <= 0x7FF ? 2 : (low <= 0xFFFF ? 3 : 4)
        for index in 1..<length {
            let mask: UInt32 = (1 << (6 * UInt32(index))) - 1
            if low & ~mask != high & ~mask {
                if low & mask != 0 {
                    return utf8Sequences(low, low | mask) + utf8Sequences((low | mask) + 1, high)
                }
                if high & mask != mask {
                    return utf8Sequences(low, (high & ~mask) - 1) + utf8Sequences(high & ~mask, high)
                }
            }
        }
        let lowBytes = encode(low), highBytes = encode(high)
        return [zip(lowBytes, highBytes).map { $0...$1 }]
    }

    /// The UTF-8 bytes of `scalar`.
    static func encode(_ scalar: UInt32) -> [UInt8] {
        switch scalar {
        case 0..<0x80: return [UInt8(scalar)]
        case 0x80..<0x800: return [UInt8(0xC0 | (scalar >> 6)), UInt8(0x80 | (scalar & 0x3F))]
        case 0x800..<0x10000:
            return [UInt8(0xE0 | (scalar >> 12)), UInt8(0x80 | ((scalar >> 6) & 0x3F)), UInt8(0x80 | (scalar & 0x3F))]
        default:
            return [UInt8(0xF0 | (scalar >> 18)), UInt8(0x80 | ((scalar >> 12) & 0x3F)),
                    UInt8(0x80 | ((scalar >> 6) & 0x3F)), UInt8(0x80 | (scalar & 0x3F))]
        }
    }
}
