extension JSONSchemaCompiler {
    /// Objects: declared properties in declaration order, required ones always present; no
    /// other keys unless the schema declares no properties (then keys are free and values
    /// follow `additionalProperties`).
    mutating func objectExpression(_ schema: JSONValue, path: String) throws(GrammarError) -> GrammarExpression {
        var properties: [JSONMember] = []
        if let declared = schema["properties"] {
            guard case .object(let list) = declared else { throw .invalidSchema("'properties' must be an object", path: path) }
            properties = list
        }
        var required: Set<String> = []
        if let list = schema["required"] {
            guard case .array(let names) = list else { throw .invalidSchema("'required' must be an array", path: path) }
            for name in names {
                guard case .string(let key) = name else { throw .invalidSchema("'required' entries must be strings", path: path) }
                required.insert(key)
                // A required key without a declared schema may hold any value.
                if !properties.contains(where: { $0.key == key }) { properties.append(JSONMember(key: key, value: .bool(true))) }
            }
        }
        let additional = schema["additionalProperties"]
        if properties.isEmpty {
            if case .bool(false)? = additional { return .literal("{}") }
            let value: GrammarExpression
            switch additional {
            case nil, .bool(true)?: return json.anyObject()
            case let schema?: value = try expression(schema, path: path + "/additionalProperties")
            }
            let member = GrammarExpression.sequence([json.string(), json.colon, value])
            return .sequence([.literal("{"), .optional(.sequence([member, .repetition(.sequence([json.comma, member]), minimum: 0, maximum: nil)])), .literal("}")])
        }
        var members: [GrammarExpression] = []
        for property in properties {
            let value = try expression(property.value, path: path + "/properties/" + property.key)
            let name = newRuleName("prop-" + property.key)
            json.grammar.define(name, .sequence([.literal(JSONValue.quoted(property.key)), json.colon, value]))
            members.append(.rule(name))
        }
        let isRequired = properties.map { required.contains($0.key) }
        if isRequired.allSatisfy({ $0 }) {
            var parts: [GrammarExpression] = [.literal("{")]
            for (index, member) in members.enumerated() {
                if index > 0 { parts.append(json.comma) }
                parts.append(member)
            }
            return .sequence(parts + [.literal("}")])
        }
        // rest(i, first): the members from i on, where skipping an optional member is allowed
        // but never a required one; `first` says whether a comma is still owed.
        var restRules: [String: String] = [:]
        func rest(_ start: Int, first: Bool) -> GrammarExpression {
            let key = "\(start)-\(first)"
            if let name = restRules[key] { return .rule(name) }
            let name = newRuleName("members")
            restRules[key] = name
            var alternatives: [GrammarExpression] = []
            var index = start
            while index < members.count {
                var parts: [GrammarExpression] = first ? [] : [json.comma]
                parts.append(members[index])
                if index + 1 < members.count { parts.append(rest(index + 1, first: false)) }
                alternatives.append(.sequence(parts))
                if isRequired[index] { break }
                index += 1
            }
            if !isRequired[start...].contains(true) { alternatives.append(.empty) }
            json.grammar.define(name, .choice(alternatives))
            return .rule(name)
        }
        return .sequence([.literal("{"), rest(0, first: true), .literal("}")])
    }

    /// Arrays: `prefixItems` in order, then `items`, with `minItems`/`maxItems` counting all.
    mutating func arrayExpression(_ schema: JSONValue, path: String) throws(GrammarError) -> GrammarExpression {
        var prefix: [JSONValue] = []
        var items: JSONValue? = schema["items"]
        if let list = schema["prefixItems"] {
            guard case .array(let schemas) = list else { throw .invalidSchema("'prefixItems' must be an array", path: path) }
            prefix = schemas
        } else if case .array(let schemas)? = items {
            // Draft 4–2019 tuple form.
            prefix = schemas
            items = nil
        }
        let minimum = try count(schema["minItems"], name: "minItems", path: path) ?? 0
        var maximum = try count(schema["maxItems"], name: "maxItems", path: path)
        if let limit = maximum, limit < minimum { throw .matchesNothing("minItems \(minimum) above maxItems \(limit) at \(path)") }
        var itemExpression: GrammarExpression? = nil
        switch items {
        case .bool(false)?:
            break
        case nil where !prefix.isEmpty:
            // Extra items would be free values: allow only as many as minItems needs.
            if minimum > prefix.count {
                itemExpression = json.anyValue()
                maximum = min(maximum ?? minimum, minimum)
            }
        case nil:
            itemExpression = json.anyValue()
        case let itemSchema?:
            itemExpression = try expression(itemSchema, path: path + "/items")
        }
        if itemExpression == nil {
            guard minimum <= prefix.count else { throw .matchesNothing("minItems \(minimum) with only \(prefix.count) items allowed at \(path)") }
            maximum = min(maximum ?? prefix.count, prefix.count)
        }
        guard minimum <= RegexParser.countLimit, (maximum ?? 0) <= RegexParser.countLimit else {
            throw .tooLarge("minItems/maxItems above \(RegexParser.countLimit) at \(path)")
        }
        var elements: [GrammarExpression] = []
        for (index, item) in prefix.enumerated() { elements.append(try expression(item, path: path + "/prefixItems/\(index)")) }
        // After the prefix: further items, counted against the bounds.
        func tail(after count: Int) -> GrammarExpression {
            guard let itemExpression else { return .empty }
            let low = max(minimum - count, 0)
            let high = maximum.map { max($0 - count, 0) }
            if high == 0 { return .empty }
            if count == 0 {
                let more = GrammarExpression.repetition(.sequence([json.comma, itemExpression]), minimum: max(low - 1, 0), maximum: high.map { $0 - 1 })
                let list = GrammarExpression.sequence([itemExpression, more])
                return low == 0 ? .optional(list) : list
            }
            return .repetition(.sequence([json.comma, itemExpression]), minimum: low, maximum: high)
        }
        // element(i): item i (preceded by a comma unless first), then the rest.
        func element(_ index: Int) -> GrammarExpression {
            if index == prefix.count { return tail(after: index) }
            var parts: [GrammarExpression] = index == 0 ? [] : [json.comma]
            parts.append(elements[index])
            if maximum.map({ index + 1 < $0 }) ?? true {
                let next = element(index + 1)
                parts.append(index + 1 >= minimum ? .optional(next) : next)
            }
            return .sequence(parts)
        }
        let body: GrammarExpression
        if prefix.isEmpty {
            body = tail(after: 0)
        } else if maximum == 0 {
            body = .empty
        } else {
            body = minimum == 0 ? .optional(element(0)) : element(0)
        }
        return .sequence([.literal("["), body, .literal("]")])
    }

    /// A non-negative integer keyword's value.
    func count(_ value: JSONValue?, name: String, path: String) throws(GrammarError) -> Int? {
        guard let value else { return nil }
        guard let number = value.doubleValue, number >= 0, number == number.rounded(), number < 1e9 else {
            throw .invalidSchema("'\(name)' must be a non-negative integer", path: path)
        }
        return Int(number)
    }
}
