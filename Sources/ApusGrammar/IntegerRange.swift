/// Grammar expressions for the decimal integers in a range, written without leading
/// zeros (`-?(0|[1-9][0-9]*)` restricted to `[low, high]`): the digit-by-digit
/// construction of range regexes.
enum IntegerRange {
    /// Integers in `[low, high]` (nil: unbounded), or nil when the range is empty.
    static func expression(low: Int?, high: Int?) -> GrammarExpression? {
        if let low, let high, low > high { return nil }
        var alternatives: [GrammarExpression] = []
        if high.map({ $0 >= 0 }) ?? true, let natural = natural(low: max(low ?? 0, 0), high: high) {
            alternatives.append(natural)
        }
        if low.map({ $0 < 0 }) ?? true {
            let magnitudeLow = max(1, high.map { -$0 } ?? 1)
            if let negative = natural(low: magnitudeLow, high: low.map { -$0 }) {
                alternatives.append(.sequence([.literal("-"), negative]))
            }
        }
        if alternatives.isEmpty { return nil }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    /// Non-negative integers in `[low, high]`.
    static func natural(low: Int, high: Int?) -> GrammarExpression? {
        if let high, low > high { return nil }
        let lowDigits = digits(low)
        var alternatives: [GrammarExpression] = []
        let longest = high.map { digits($0).count } ?? lowDigits.count
        for length in lowDigits.count...longest {
            let from = length == lowDigits.count ? lowDigits : [1] + Array(repeating: 0, count: length - 1)
            let to = high.map(digits).flatMap { $0.count == length ? $0 : nil } ?? Array(repeating: 9, count: length)
            alternatives.append(sameLength(from, to))
        }
        if high == nil {
            // Every number with more digits than `low`.
            alternatives.append(.sequence([.ascii("1-9"), .repetition(.ascii("0-9"), minimum: lowDigits.count, maximum: nil)]))
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    private static func digits(_ value: Int) -> [Int] {
        String(value).utf8.map { Int($0) - 48 }
    }

    private static func digitClass(_ low: Int, _ high: Int) -> GrammarExpression {
        .bytes(ByteSet(UInt8(48 + low)...UInt8(48 + high)))
    }

    /// Digit strings of equal length between `low` and `high` (leading zeros allowed: the
    /// caller fixes the first digit).
    private static func sameLength(_ low: [Int], _ high: [Int]) -> GrammarExpression {
        guard let first = low.first, let last = high.first else { return .empty }
        let lowRest = Array(low.dropFirst()), highRest = Array(high.dropFirst())
        if first == last { return .sequence([digitClass(first, first), sameLength(lowRest, highRest)]) }
        let any = GrammarExpression.repetition(digitClass(0, 9), minimum: lowRest.count, maximum: lowRest.count)
        if lowRest.allSatisfy({ $0 == 0 }) && highRest.allSatisfy({ $0 == 9 }) {
            return .sequence([digitClass(first, last), any])
        }
        var alternatives: [GrammarExpression] = [
            .sequence([digitClass(first, first), sameLength(lowRest, Array(repeating: 9, count: lowRest.count))]),
        ]
        if last - first > 1 { alternatives.append(.sequence([digitClass(first + 1, last - 1), any])) }
        alternatives.append(.sequence([digitClass(last, last), sameLength(Array(repeating: 0, count: highRest.count), highRest)]))
        return .choice(alternatives)
    }
}
