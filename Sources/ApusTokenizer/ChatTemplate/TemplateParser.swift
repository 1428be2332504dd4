/// Turns tokens into the statement tree (`Node`s). Expressions are in TemplateParser+Expressions.
struct TemplateParser {
    var tokens: [TemplateToken]
    var index = 0

    init(tokens: [TemplateToken]) { self.tokens = tokens }

    static func parse(_ source: String) throws(TemplateError) -> [Node] {
        var parser = TemplateParser(tokens: try TemplateLexer.tokenize(source))
        let (body, end) = try parser.parseBody(until: [])
        if let end { throw .syntax(message: "unexpected '\(end)' with no open block", line: parser.current.line) }
        return body
    }

    var current: TemplateToken { tokens[index] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func syntaxError(_ message: String) -> TemplateError { .syntax(message: message, line: current.line) }

    mutating func expect(_ kind: TemplateToken.Kind, _ what: String) throws(TemplateError) {
        guard current.kind == kind else { throw syntaxError("expected \(what)") }
        advance()
    }

    mutating func expectName() throws(TemplateError) -> String {
        guard case .name(let name) = current.kind else { throw syntaxError("expected a name") }
        advance()
        return name
    }

    mutating func skipSymbol(_ symbol: String) -> Bool {
        if current.kind == .symbol(symbol) { advance(); return true }
        return false
    }

    mutating func skipName(_ name: String) -> Bool {
        if current.kind == .name(name) { advance(); return true }
        return false
    }

    /// Parses nodes until a block tag whose keyword is in `ends`; returns that keyword (nil at end of input).
    /// The closing tag's `{%` and keyword are consumed, its arguments are left for the caller.
    mutating func parseBody(until ends: Set<String>) throws(TemplateError) -> ([Node], String?) {
        var nodes: [Node] = []
        while true {
            let token = current
            switch token.kind {
            case .end:
                if !ends.isEmpty {
                    throw .syntax(message: "missing {% \(ends.sorted().joined(separator: " or ")) %}", line: token.line)
                }
                return (nodes, nil)
            case .text(let text):
                nodes.append(.text(text))
                advance()
            case .variableBegin:
                advance()
                let expression = try parseExpression()
                try expect(.variableEnd, "}}")
                nodes.append(.output(expression, line: token.line))
            case .blockBegin:
                advance()
                guard case .name(let keyword) = current.kind else { throw syntaxError("expected a statement keyword") }
                if ends.contains(keyword) {
                    advance()
                    return (nodes, keyword)
                }
                advance()
                nodes.append(try parseStatement(keyword, line: token.line))
            default:
                throw syntaxError("unexpected token")
            }
        }
    }

    mutating func endTag() throws(TemplateError) { try expect(.blockEnd, "%}") }

    private mutating func parseStatement(_ keyword: String, line: Int) throws(TemplateError) -> Node {
        switch keyword {
        case "if": return try parseIf(line: line)
        case "for": return try parseFor(line: line)
        case "set": return try parseSet(line: line)
        case "macro": return try parseMacro(line: line)
        case "call": return try parseCallBlock(line: line)
        case "filter":
            let filters = try parseFilterChain()
            try endTag()
            let (body, _) = try parseBody(until: ["endfilter"])
            try endTag()
            return .filterBlock(filters, body: body, line: line)
        case "break", "continue":
            try endTag()
            return keyword == "break" ? .breakLoop(line: line) : .continueLoop(line: line)
        case "generation":
            // transformers' AssistantTracker tag: renders its body unchanged.
            try endTag()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try endTag()
            return .ifChain([(.literal(.bool(true)), body)], otherwise: [], line: line)
        case "elif", "else", "endif", "endfor", "endset", "endmacro", "endcall", "endfilter", "endgeneration":
            throw .syntax(message: "unexpected '\(keyword)'", line: line)
        default:
            throw .unsupported(construct: "the '{% \(keyword) %}' statement", line: line)
        }
    }

    private mutating func parseIf(line: Int) throws(TemplateError) -> Node {
        var branches: [(condition: Expression, body: [Node])] = []
        var condition = try parseExpression()
        while true {
            try endTag()
            let (body, end) = try parseBody(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            if end == "elif" {
                condition = try parseExpression()
                continue
            }
            var otherwise: [Node] = []
            if end == "else" {
                try endTag()
                (otherwise, _) = try parseBody(until: ["endif"])
            }
            try endTag()
            return .ifChain(branches, otherwise: otherwise, line: line)
        }
    }

    private mutating func parseFor(line: Int) throws(TemplateError) -> Node {
        let target = try parseAssignTarget(allowAttribute: false)
        guard skipName("in") else { throw syntaxError("expected 'in' in for loop") }
        let iterable = try parseExpression(allowConditional: false)
        var condition: Expression?
        if skipName("if") { condition = try parseExpression() }
        if current.kind == .name("recursive") {
            throw .unsupported(construct: "recursive for loops", line: line)
        }
        try endTag()
        let (body, end) = try parseBody(until: ["else", "endfor"])
        var otherwise: [Node] = []
        if end == "else" {
            try endTag()
            (otherwise, _) = try parseBody(until: ["endfor"])
        }
        try endTag()
        return .forLoop(ForLoop(target: target, iterable: iterable, condition: condition, body: body, otherwise: otherwise),
                        line: line)
    }

    private mutating func parseSet(line: Int) throws(TemplateError) -> Node {
        let target = try parseAssignTarget(allowAttribute: true)
        if skipSymbol("=") {
            let value = try parseTupleOrExpression()
            try endTag()
            return .set(target, value, line: line)
        }
        guard case .name(let name) = target else { throw syntaxError("a block set needs a plain variable name") }
        let filters = current.kind == .symbol("|") ? try parseFilterChain() : []
        try endTag()
        let (body, _) = try parseBody(until: ["endset"])
        try endTag()
        return .setBlock(name, filters: filters, body: body, line: line)
    }

    private mutating func parseAssignTarget(allowAttribute: Bool) throws(TemplateError) -> AssignTarget {
        var targets: [AssignTarget] = []
        let parenthesized = skipSymbol("(")
        repeat {
            let name = try expectName()
            if allowAttribute, skipSymbol(".") {
                targets.append(.attribute(object: name, attribute: try expectName()))
            } else {
                targets.append(.name(name))
            }
        } while skipSymbol(",") && current.kind != .name("in") && current.kind != .symbol("=")
        if parenthesized { try expect(.symbol(")"), ")") }
        return targets.count == 1 && !parenthesized ? targets[0] : .tuple(targets)
    }

    mutating func parseParameters() throws(TemplateError) -> [(name: String, defaultValue: Expression?)] {
        var parameters: [(name: String, defaultValue: Expression?)] = []
        try expect(.symbol("("), "(")
        while !skipSymbol(")") {
            if !parameters.isEmpty { try expect(.symbol(","), ",") }
            if skipSymbol(")") { break }
            let name = try expectName()
            parameters.append((name, skipSymbol("=") ? try parseExpression() : nil))
        }
        return parameters
    }

    private mutating func parseMacro(line: Int) throws(TemplateError) -> Node {
        let name = try expectName()
        let parameters = try parseParameters()
        try endTag()
        let (body, _) = try parseBody(until: ["endmacro"])
        if case .name = current.kind { advance() }
        try endTag()
        return .macro(MacroDefinition(name: name, parameters: parameters, body: body), line: line)
    }

    private mutating func parseCallBlock(line: Int) throws(TemplateError) -> Node {
        let parameters = current.kind == .symbol("(") ? try parseParameters() : []
        let call = try parseExpression()
        guard case .call = call else { throw syntaxError("{% call %} needs a macro call") }
        try endTag()
        let (body, _) = try parseBody(until: ["endcall"])
        try endTag()
        return .callBlock(call, parameters: parameters, body: body, line: line)
    }

    /// `name(args) | name2 ...` as used by `{% filter %}` and block `set`.
    private mutating func parseFilterChain() throws(TemplateError) -> [(name: String, arguments: [Argument])] {
        var filters: [(name: String, arguments: [Argument])] = []
        _ = skipSymbol("|")
        repeat {
            let name = try expectName()
            guard TemplateFilters.names.contains(name) else {
                throw .unsupported(construct: "the filter '\(name)'", line: current.line)
            }
            filters.append((name, current.kind == .symbol("(") ? try parseCallArguments() : []))
        } while skipSymbol("|")
        return filters
    }
}
