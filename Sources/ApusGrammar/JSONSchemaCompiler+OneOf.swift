extension JSONSchemaCompiler {
    /// `oneOf` needs exactly one branch to match; a plain choice is exact only when no
    /// output of one branch can also satisfy another. Accepted when branches are provably
    /// disjoint: different JSON kinds, different literals, or objects that require a
    /// common property with disjoint literal values (a discriminator). Otherwise an error.
    func checkDisjoint(_ branches: [JSONValue], path: String) throws(GrammarError) {
        let summaries = branches.map { summary(of: $0, depth: 0) }
        for first in summaries.indices {
            for second in summaries.indices where second > first {
                guard disjoint(summaries[first], summaries[second]) else {
                    throw .unsupportedValue("'oneOf' whose branches \(first) and \(second) may both match (use 'anyOf' if that is acceptable)", path: path)
                }
            }
        }
    }

    /// What a branch can produce: its kinds, its literal values when it is a literal
    /// choice, and for objects the literal values of required properties.
    struct BranchSummary {
        var kinds: Set<String>
        var literals: Set<JSONValue>?
        var requiredLiterals: [String: Set<JSONValue>] = [:]
    }

    static let allKinds: Set<String> = ["null", "boolean", "string", "integer", "fraction", "object", "array"]

    func summary(of schema: JSONValue, depth: Int) -> BranchSummary {
        guard depth < 32, case .object = schema else { return BranchSummary(kinds: Self.allKinds) }
        if case .string(let pointer)? = schema["$ref"], let target = resolve(pointer) {
            return summary(of: target, depth: depth + 1)
        }
        if let value = schema["const"] { return literalSummary([value]) }
        if case .array(let values)? = schema["enum"] { return literalSummary(values) }
        for keyword in ["anyOf", "oneOf"] {
            if case .array(let list)? = schema[keyword] {
                let parts = list.map { summary(of: $0, depth: depth + 1) }
                return BranchSummary(kinds: parts.reduce(into: Set<String>()) { $0.formUnion($1.kinds) })
            }
        }
        var kinds: Set<String> = []
        switch schema["type"] {
        case .string(let type)?: kinds = Self.kinds(of: type)
        case .array(let list)?:
            for case .string(let type) in list { kinds.formUnion(Self.kinds(of: type)) }
        default:
            guard let types = try? types(of: schema, path: "") else { return BranchSummary(kinds: Self.allKinds) }
            for type in types { kinds.formUnion(Self.kinds(of: type)) }
        }
        var result = BranchSummary(kinds: kinds)
        if kinds == ["object"], case .array(let required)? = schema["required"], case .object(let properties)? = schema["properties"] {
            for case .string(let name) in required {
                guard let property = properties.first(where: { $0.key == name })?.value else { continue }
                if let literals = summary(of: property, depth: depth + 1).literals { result.requiredLiterals[name] = literals }
            }
        }
        return result
    }

    private static func kinds(of type: String) -> Set<String> {
        type == "number" ? ["integer", "fraction"] : [type]
    }

    private func literalSummary(_ values: [JSONValue]) -> BranchSummary {
        var kinds: Set<String> = []
        for value in values {
            let kind = Self.kind(of: value) ?? "null"
            kinds.insert(kind == "number" ? "fraction" : kind)
        }
        return BranchSummary(kinds: kinds, literals: Set(values.map(Self.canonical)))
    }

    /// Numbers compared by value, so `1` and `1.0` count as the same literal.
    static func canonical(_ value: JSONValue) -> JSONValue {
        if let number = value.doubleValue { return .number(String(number)) }
        return value
    }

    private func disjoint(_ a: BranchSummary, _ b: BranchSummary) -> Bool {
        if a.kinds.isDisjoint(with: b.kinds) { return true }
        if let first = a.literals, let second = b.literals, first.isDisjoint(with: second),
           !first.contains(where: { Self.kind(of: $0) == "object" || Self.kind(of: $0) == "array" }) {
            return true
        }
        for (name, values) in a.requiredLiterals {
            if let other = b.requiredLiterals[name], values.isDisjoint(with: other) { return true }
        }
        return false
    }

    private func resolve(_ pointer: String) -> JSONValue? {
        guard pointer.hasPrefix("#") else { return nil }
        var target = document
        for part in pointer.dropFirst().split(separator: "/") {
            guard let next = target[String(part)] else { return nil }
            target = next
        }
        return target
    }
}
