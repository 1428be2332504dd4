/// Filters over sequences: map/select/reject(attr), unique, sort, dictsort, max, min, sum, batch.
enum TemplateSequenceFilters {
    static func apply(_ name: String, _ value: Value, _ arguments: Arguments,
                      _ interpreter: TemplateInterpreter) throws(TemplateError) -> Value {
        // jinja2's map/select/reject family iterate only `if value`, so None yields nothing.
        let lazyFamily: Set = ["map", "select", "reject", "selectattr", "rejectattr"]
        let items = lazyFamily.contains(name) && !value.isTruthy ? [] : try value.iterate()
        switch name {
        case "map": return .array(try map(items, arguments, interpreter))
        case "select", "reject":
            var kept: [Value] = []
            for item in items where try passes(item, testArguments: arguments, from: 0) == (name == "select") {
                kept.append(item)
            }
            return .array(kept)
        case "selectattr", "rejectattr":
            guard case .string(let path)? = arguments.positional.first else {
                throw .runtime(message: "\(name) needs an attribute name", line: nil)
            }
            var kept: [Value] = []
            for item in items
            where try passes(try TemplateFilters.lookup(path, in: item), testArguments: arguments, from: 1) == (name == "selectattr") {
                kept.append(item)
            }
            return .array(kept)
        case "unique":
            var seen: [Value] = []
            var result: [Value] = []
            for item in items {
                let key = try sortKey(item, arguments, caseSensitivePosition: 0)
                if !seen.contains(where: { $0.equals(key) }) {
                    seen.append(key)
                    result.append(item)
                }
            }
            return .array(result)
        case "sort":
            let reverse = arguments.value(0, "reverse")?.isTruthy ?? false
            return .array(try sorted(items, arguments, caseSensitivePosition: 1, reverse: reverse))
        case "dictsort":
            guard case .dict(let dict) = value else { throw TemplateInterpreter.typeError("dictsort needs a mapping", value) }
            let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let byValue = arguments.value(1, "by")?.displayString == "value"
            let reverse = arguments.value(2, "reverse")?.isTruthy ?? false
            let pairs = try stableSort(dict.pairs.map { Value.array([.string($0.0), $0.1]) }, reverse: reverse) {
                pair throws(TemplateError) in
                guard case .array(let parts) = pair else { return pair }
                return fold(byValue ? parts[1] : parts[0], caseSensitive: caseSensitive)
            }
            return .array(pairs)
        case "max", "min":
            let ordered = try sorted(items, arguments, caseSensitivePosition: 0, reverse: name == "max")
            return ordered.first ?? .undefined(hint: "\(name)() of an empty sequence")
        case "sum":
            var total = arguments.value(1, "start") ?? .int(0)
            for item in items {
                var term = item
                if case .string(let path)? = arguments.value(0, "attribute") { term = try TemplateFilters.lookup(path, in: item) }
                total = try TemplateOperators.apply("+", total, term)
            }
            return total
        default:
            guard let size = arguments.value(0, "linecount")?.integer, size > 0 else {
                throw .runtime(message: "batch needs a positive size", line: nil)
            }
            var batches: [Value] = []
            var index = 0
            while index < items.count {
                var batch = Array(items[index..<min(index + size, items.count)])
                if batch.count < size, let fill = arguments.value(1, "fill_with"), !fill.isUndefined {
                    batch += Array(repeating: fill, count: size - batch.count)
                }
                batches.append(.array(batch))
                index += size
            }
            return .array(batches)
        }
    }

    private static func map(_ items: [Value], _ arguments: Arguments,
                            _ interpreter: TemplateInterpreter) throws(TemplateError) -> [Value] {
        if case .string(let path)? = arguments.keyword.first(where: { $0.0 == "attribute" })?.1 {
            let fallback = arguments.keyword.first { $0.0 == "default" }?.1
            return try items.map { item throws(TemplateError) in
                let found = try TemplateFilters.lookup(path, in: item)
                return found.isUndefined ? (fallback ?? found) : found
            }
        }
        guard case .string(let filter)? = arguments.positional.first, TemplateFilters.names.contains(filter) else {
            throw .runtime(message: "map needs attribute= or the name of a known filter", line: nil)
        }
        let rest = Arguments(positional: Array(arguments.positional.dropFirst()), keyword: arguments.keyword)
        return try items.map { item throws(TemplateError) in try TemplateFilters.apply(filter, item, rest, interpreter) }
    }

    /// Runs the test named at `from` (default: truthiness) with the arguments after it.
    private static func passes(_ value: Value, testArguments: Arguments, from position: Int) throws(TemplateError) -> Bool {
        guard position < testArguments.positional.count else { return value.isTruthy }
        guard case .string(let test) = testArguments.positional[position], TemplateTests.names.contains(test) else {
            throw .runtime(message: "unknown test \(testArguments.positional[position].pythonRepr)", line: nil)
        }
        let rest = Arguments(positional: Array(testArguments.positional.dropFirst(position + 1)))
        return try TemplateTests.apply(test, value, rest)
    }

    /// Strings compare lower-cased unless case_sensitive, as jinja2's sort and unique do.
    private static func fold(_ value: Value, caseSensitive: Bool) -> Value {
        if !caseSensitive, case .string(let text) = value { return .string(text.lowercased()) }
        return value
    }

    private static func sortKey(_ item: Value, _ arguments: Arguments, caseSensitivePosition: Int) throws(TemplateError) -> Value {
        let caseSensitive = arguments.value(caseSensitivePosition, "case_sensitive")?.isTruthy ?? false
        var key = item
        if case .string(let path)? = arguments.keyword.first(where: { $0.0 == "attribute" })?.1 {
            key = try TemplateFilters.lookup(path, in: item)
        }
        return fold(key, caseSensitive: caseSensitive)
    }

    private static func sorted(_ items: [Value], _ arguments: Arguments, caseSensitivePosition: Int,
                               reverse: Bool) throws(TemplateError) -> [Value] {
        try stableSort(items, reverse: reverse) { item throws(TemplateError) in
            try sortKey(item, arguments, caseSensitivePosition: caseSensitivePosition)
        }
    }

    /// Python's sorted(key=..., reverse=...): stable, and reverse keeps equal items in order.
    private static func stableSort(_ items: [Value], reverse: Bool,
                                   key: (Value) throws(TemplateError) -> Value) throws(TemplateError) -> [Value] {
        var keyed: [(key: Value, index: Int, item: Value)] = []
        for (index, item) in items.enumerated() { keyed.append((try key(item), index, item)) }
        var failure: TemplateError?
        keyed.sort { a, b in
            do {
                let (first, second) = reverse ? (b.key, a.key) : (a.key, b.key)
                if try TemplateOperators.lessThan(first, second) { return true }
                if try TemplateOperators.lessThan(second, first) { return false }
            } catch {
                failure = error as? TemplateError
            }
            return a.index < b.index
        }
        if let failure { throw failure }
        return keyed.map(\.item)
    }
}
