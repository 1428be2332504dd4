extension JSONSchemaCompiler {
    /// Strings: `format`, `pattern`, or `minLength`/`maxLength` in code points. Combining a
    /// format or pattern with lengths is refused (the grammar cannot intersect them yet).
    mutating func stringExpression(_ schema: JSONValue, path: String) throws(GrammarError) -> GrammarExpression {
        let minimum = try count(schema["minLength"], name: "minLength", path: path)
        let maximum = try count(schema["maxLength"], name: "maxLength", path: path)
        let hasLength = minimum != nil || maximum != nil
        if let format = schema["format"] {
            guard case .string(let name) = format else { throw .invalidSchema("'format' must be a string", path: path) }
            guard let pattern = JSONFormats.pattern(for: name) else { throw .unsupportedValue("the string format '\(name)'", path: path) }
            if hasLength || schema["pattern"] != nil {
                throw .unsupportedKeyword(schema["pattern"] != nil ? "pattern" : "minLength/maxLength", path: path + " (beside 'format')")
            }
            var parser = RegexParser(pattern)
            return JSONGrammarBuilder.string(matching: try parser.parse())
        }
        if let pattern = schema["pattern"] {
            guard case .string(let text) = pattern else { throw .invalidSchema("'pattern' must be a string", path: path) }
            if hasLength { throw .unsupportedKeyword("minLength/maxLength", path: path + " (beside 'pattern')") }
            var parser = RegexParser(text)
            var node = try parser.parse()
            // JSON Schema patterns search: unanchored ends match anything.
            let anything = RegexNode.repetition(.set(.all), minimum: 0, maximum: nil)
            if !parser.anchoredStart { node = .sequence([anything, node]) }
            if !parser.anchoredEnd { node = .sequence([node, anything]) }
            return JSONGrammarBuilder.string(matching: node)
        }
        guard hasLength else { return json.string() }
        let low = minimum ?? 0
        if let maximum, maximum < low { throw .matchesNothing("minLength \(low) above maxLength \(maximum) at \(path)") }
        guard low <= RegexParser.countLimit, (maximum ?? 0) <= RegexParser.countLimit else {
            throw .tooLarge("minLength/maxLength above \(RegexParser.countLimit) at \(path)")
        }
        return .sequence([.literal("\""), .repetition(JSONGrammarBuilder.stringCharacter, minimum: low, maximum: maximum), .literal("\"")])
    }

    /// Integers, with bounds.
    mutating func integerExpression(_ schema: JSONValue, path: String) throws(GrammarError) -> GrammarExpression {
        let bounds = try self.bounds(schema, path: path)
        guard bounds.low != nil || bounds.high != nil else {
            return .sequence([.optional(.literal("-")), JSONGrammarBuilder.naturalNumber])
        }
        // Whole numbers at or inside the bounds.
        let low = bounds.low.map { bounds.lowExclusive ? Int(($0 + 1).rounded(.down)) : Int($0.rounded(.up)) }
        let high = bounds.high.map { bounds.highExclusive ? Int(($0 - 1).rounded(.up)) : Int($0.rounded(.down)) }
        guard let expression = IntegerRange.expression(low: low, high: high) else {
            throw .matchesNothing("the integer bounds at \(path)")
        }
        return expression
    }

    /// Numbers, with whole-number bounds: an integer in range, or a decimal whose integer
    /// part keeps every fraction in range (no exponent when bounded).
    mutating func numberExpression(_ schema: JSONValue, path: String) throws(GrammarError) -> GrammarExpression {
        let bounds = try self.bounds(schema, path: path)
        guard bounds.low != nil || bounds.high != nil else { return json.number() }
        for bound in [bounds.low, bounds.high] {
            if let bound, bound != bound.rounded() {
                throw .unsupportedValue("a fractional bound (\(bound)) on a number", path: path)
            }
        }
        let low = bounds.low.map(Int.init), high = bounds.high.map(Int.init)
        var alternatives: [GrammarExpression] = []
        let wholeLow = low.map { bounds.lowExclusive ? $0 + 1 : $0 }
        let wholeHigh = high.map { bounds.highExclusive ? $0 - 1 : $0 }
        if let whole = IntegerRange.expression(low: wholeLow, high: wholeHigh) { alternatives.append(whole) }
        let digits = GrammarExpression.repetition(.ascii("0-9"), minimum: 0, maximum: nil)
        let fraction = GrammarExpression.sequence([.literal("."), .ascii("0-9"), digits])
        let nonzeroFraction = GrammarExpression.sequence([.literal("."), digits, .ascii("1-9"), digits])
        // K.ddd lies in [K, K+1): in range when K >= low and K + 1 <= high; at K == low with
        // an exclusive low bound only a nonzero fraction is.
        let positiveLow = max(0, low.map { bounds.lowExclusive ? $0 + 1 : $0 } ?? 0)
        if let positive = IntegerRange.natural(low: positiveLow, high: high.map { $0 - 1 }) {
            alternatives.append(.sequence([positive, fraction]))
        }
        if let low, bounds.lowExclusive, low >= 0, high.map({ low <= $0 - 1 }) ?? true {
            alternatives.append(.sequence([.literal(String(low)), nonzeroFraction]))
        }
        // -K.ddd lies in (-(K+1), -K]: in range when K + 1 <= -low and -K <= high; at
        // K == -high with an exclusive high bound only a nonzero fraction is.
        let negativeLow = max(0, high.map { bounds.highExclusive ? -$0 + 1 : -$0 } ?? 0)
        if let negative = IntegerRange.natural(low: negativeLow, high: low.map { -$0 - 1 }) {
            alternatives.append(.sequence([.literal("-"), negative, fraction]))
        }
        if let high, bounds.highExclusive, high <= 0, low.map({ -high <= -$0 - 1 }) ?? true {
            alternatives.append(.sequence([.literal("-" + String(-high)), nonzeroFraction]))
        }
        guard !alternatives.isEmpty else { throw .matchesNothing("the number bounds at \(path)") }
        return .choice(alternatives)
    }

    /// The numeric bounds, with draft-4 boolean and draft-6 numeric exclusive forms.
    func bounds(_ schema: JSONValue, path: String) throws(GrammarError)
        -> (low: Double?, lowExclusive: Bool, high: Double?, highExclusive: Bool) {
        func number(_ name: String) throws(GrammarError) -> Double? {
            guard let value = schema[name] else { return nil }
            if case .bool = value { return nil }
            guard let number = value.doubleValue, number.isFinite, abs(number) < 1e15 else {
                throw .invalidSchema("'\(name)' must be a number below 1e15 in magnitude", path: path)
            }
            return number
        }
        var low = try number("minimum"), high = try number("maximum")
        var lowExclusive = false, highExclusive = false
        if case .bool(true)? = schema["exclusiveMinimum"] { lowExclusive = low != nil }
        if case .bool(true)? = schema["exclusiveMaximum"] { highExclusive = high != nil }
        if let exclusive = try number("exclusiveMinimum"), low.map({ exclusive >= $0 }) ?? true {
            low = exclusive
            lowExclusive = true
        }
        if let exclusive = try number("exclusiveMaximum"), high.map({ exclusive <= $0 }) ?? true {
            high = exclusive
            highExclusive = true
        }
        return (low, lowExclusive, high, highExclusive)
    }
}
