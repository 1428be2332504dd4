/// A context-free grammar over bytes: named rules whose bodies are `GrammarExpression`s,
/// and the rule a whole output must match.
public struct Grammar: Sendable, Hashable {
    /// Rule names in definition order; `bodies[i]` is the body of `names[i]`.
    public private(set) var names: [String] = []
    /// Rule bodies, parallel to `names`.
    public private(set) var bodies: [GrammarExpression] = []
    /// The rule a complete output matches.
    public var root: String

    /// An empty grammar whose start rule will be `root`.
    public init(root: String) {
        self.root = root
    }

    /// Index of the rule called `name`.
    public func index(of name: String) -> Int? {
        names.firstIndex(of: name)
    }

    /// Whether a rule called `name` is defined.
    public func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// Defines (or replaces) the rule `name`.
    public mutating func define(_ name: String, _ body: GrammarExpression) {
        if let index = index(of: name) {
            bodies[index] = body
        } else {
            names.append(name)
            bodies.append(body)
        }
    }

    /// Throws if the root or a referenced rule is undefined.
    public func validate() throws(GrammarError) {
        guard contains(root) else { throw .undefinedRule(root, referencedBy: nil) }
        let known = Set(names)
        for (name, body) in zip(names, bodies) {
            if let missing = Self.references(in: body).first(where: { !known.contains($0) }) {
                throw .undefinedRule(missing, referencedBy: name)
            }
        }
    }

    /// Names of the rules `expression` refers to.
    static func references(in expression: GrammarExpression) -> [String] {
        switch expression {
        case .bytes: return []
        case .rule(let name): return [name]
        case .sequence(let parts), .choice(let parts): return parts.flatMap { references(in: $0) }
        case .repetition(let inner, _, _): return references(in: inner)
        }
    }
}
