/// Expression parsing, with jinja2's precedence (loosest first): conditional, or, and, not,
/// comparisons and `in`, `+ -`, `~`, `* / // %`, `**`, unary minus, then primaries with
/// postfix `.attr`, `[index]`, `(call)`, `| filter` and `is test`.
extension TemplateParser {
    mutating func parseExpression(allowConditional: Bool = true) throws(TemplateError) -> Expression {
        var expression = try parseOr()
        guard allowConditional else { return expression }
        while skipName("if") {
            let condition = try parseOr()
            let otherwise = skipName("else") ? try parseExpression() : nil
            expression = .conditional(then: expression, condition: condition, otherwise: otherwise)
        }
        return expression
    }

    /// `a, b` without brackets is a tuple (in `{{ }}` and `set`).
    mutating func parseTupleOrExpression() throws(TemplateError) -> Expression {
        let first = try parseExpression()
        guard current.kind == .symbol(",") else { return first }
        var items = [first]
        while skipSymbol(",") {
            if current.kind == .blockEnd || current.kind == .variableEnd { break }
            items.append(try parseExpression())
        }
        return .tuple(items)
    }

    private mutating func parseOr() throws(TemplateError) -> Expression {
        var left = try parseAnd()
        while skipName("or") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws(TemplateError) -> Expression {
        var left = try parseNot()
        while skipName("and") { left = .and(left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws(TemplateError) -> Expression {
        if skipName("not") { return .not(try parseNot()) }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(TemplateError) -> Expression {
        var left = try parseSum()
        while true {
            if case .symbol(let symbol) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(symbol) {
                advance()
                left = .binary(symbol, left, try parseSum())
            } else if skipName("in") {
                left = .binary("in", left, try parseSum())
            } else if current.kind == .name("not"), index + 1 < tokens.count, tokens[index + 1].kind == .name("in") {
                advance()
                advance()
                left = .not(.binary("in", left, try parseSum()))
            } else {
                return left
            }
        }
    }

    private mutating func parseSum() throws(TemplateError) -> Expression {
        var left = try parseConcat()
        while case .symbol(let symbol) = current.kind, symbol == "+" || symbol == "-" {
            // In jinja2 `x|safe + y` is Markup arithmetic: y is HTML-escaped. Apus has no
            // Markup strings, so refuse it rather than render different text.
            if symbol == "+", case .filter(_, name: "safe", _) = left {
                throw .unsupported(construct: "'|safe + …' (Markup concatenation, which HTML-escapes the right operand)",
                                   line: current.line)
            }
            advance()
            left = .binary(symbol, left, try parseConcat())
        }
        return left
    }

    private mutating func parseConcat() throws(TemplateError) -> Expression {
        var left = try parseProduct()
        while skipSymbol("~") { left = .binary("~", left, try parseProduct()) }
        return left
    }

    private mutating func parseProduct() throws(TemplateError) -> Expression {
        var left = try parsePower()
        while case .symbol(let symbol) = current.kind, ["*", "/", "//", "%"].contains(symbol) {
            advance()
            left = .binary(symbol, left, try parsePower())
        }
        return left
    }

    private mutating func parsePower() throws(TemplateError) -> Expression {
        var left = try parseUnary(withFilters: true)
        while skipSymbol("**") { left = .binary("**", left, try parseUnary(withFilters: true)) }
        return left
    }

    private mutating func parseUnary(withFilters: Bool) throws(TemplateError) -> Expression {
        var expression: Expression
        if skipSymbol("-") {
            expression = .negate(try parseUnary(withFilters: false))
        } else if skipSymbol("+") {
            expression = .plus(try parseUnary(withFilters: false))
        } else {
            expression = try parsePrimary()
        }
        expression = try parsePostfix(expression)
        return withFilters ? try parseFiltersAndTests(expression) : expression
    }

    private mutating func parsePrimary() throws(TemplateError) -> Expression {
        let token = current
        switch token.kind {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(name)
            }
        case .string(var text):
            advance()
            while case .string(let more) = current.kind {
                text += more
                advance()
            }
            return .literal(.string(text))
        case .integer(let value):
            advance()
            return .literal(.int(value))
        case .float(let value):
            advance()
            return .literal(.double(value))
        case .symbol("("):
            advance()
            if skipSymbol(")") { return .tuple([]) }
            let first = try parseExpression()
            guard current.kind == .symbol(",") else {
                try expect(.symbol(")"), ")")
                return first
            }
            var items = [first]
            while skipSymbol(","), current.kind != .symbol(")") { items.append(try parseExpression()) }
            try expect(.symbol(")"), ")")
            return .tuple(items)
        case .symbol("["):
            advance()
            var items: [Expression] = []
            while !skipSymbol("]") {
                if !items.isEmpty { try expect(.symbol(","), ",") }
                if skipSymbol("]") { break }
                items.append(try parseExpression())
            }
            return .list(items)
        case .symbol("{"):
            advance()
            var pairs: [(key: Expression, value: Expression)] = []
            while !skipSymbol("}") {
                if !pairs.isEmpty { try expect(.symbol(","), ",") }
                if skipSymbol("}") { break }
                let key = try parseExpression()
                try expect(.symbol(":"), ":")
                pairs.append((key, try parseExpression()))
            }
            return .dict(pairs)
        default:
            throw syntaxError("expected an expression")
        }
    }

    private mutating func parsePostfix(_ base: Expression) throws(TemplateError) -> Expression {
        var expression = base
        while true {
            if skipSymbol(".") {
                switch current.kind {
                case .name(let name):
                    advance()
                    expression = .attribute(expression, name)
                case .integer(let value):
                    advance()
                    expression = .index(expression, .literal(.int(value)))
                default:
                    throw syntaxError("expected an attribute name after '.'")
                }
            } else if skipSymbol("[") {
                expression = try parseSubscript(expression)
            } else if current.kind == .symbol("(") {
                expression = .call(expression, try parseCallArguments())
            } else {
                return expression
            }
        }
    }

    private mutating func parseSubscript(_ base: Expression) throws(TemplateError) -> Expression {
        var parts: [Expression?] = [nil]
        var sawColon = false
        while !skipSymbol("]") {
            if skipSymbol(":") {
                sawColon = true
                parts.append(nil)
                guard parts.count <= 3 else { throw syntaxError("too many ':' in slice") }
            } else {
                guard parts[parts.count - 1] == nil else { throw syntaxError("expected ']'") }
                parts[parts.count - 1] = try parseExpression()
            }
        }
        if !sawColon {
            guard let index = parts[0] else { throw syntaxError("empty subscript") }
            return .index(base, index)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(base, start: parts[0], stop: parts[1], step: parts[2])
    }

    mutating func parseCallArguments() throws(TemplateError) -> [Argument] {
        try expect(.symbol("("), "(")
        var arguments: [Argument] = []
        while !skipSymbol(")") {
            if !arguments.isEmpty { try expect(.symbol(","), ",") }
            if skipSymbol(")") { break }
            if current.kind == .symbol("*") || current.kind == .symbol("**") {
                throw .unsupported(construct: "*args/**kwargs in a call", line: current.line)
            }
            if case .name(let name) = current.kind, index + 1 < tokens.count, tokens[index + 1].kind == .symbol("=") {
                advance()
                advance()
                arguments.append(Argument(name: name, value: try parseExpression()))
            } else {
                arguments.append(Argument(name: nil, value: try parseExpression()))
            }
        }
        return arguments
    }

    private mutating func parseFiltersAndTests(_ base: Expression) throws(TemplateError) -> Expression {
        var expression = base
        while true {
            if skipSymbol("|") {
                let line = current.line
                let name = try expectName()
                let arguments = current.kind == .symbol("(") ? try parseCallArguments() : []
                expression = TemplateFilters.names.contains(name) ? .filter(expression, name: name, arguments)
                    : .unsupported(construct: "the filter '\(name)'", line: line)
            } else if skipName("is") {
                let negated = skipName("not")
                let line = current.line
                let name = try expectName()
                var arguments: [Argument] = []
                if current.kind == .symbol("(") {
                    arguments = try parseCallArguments()
                } else if startsBareTestArgument {
                    arguments = [Argument(name: nil, value: try parsePostfix(try parsePrimary()))]
                }
                expression = TemplateTests.names.contains(name) ? .test(expression, name: name, arguments, negated: negated)
                    : .unsupported(construct: "the test '\(name)'", line: line)
            } else if current.kind == .symbol("(") {
                expression = .call(expression, try parseCallArguments())
            } else {
                return expression
            }
        }
    }

    /// `x is divisibleby 3`: a test may take one argument without parentheses.
    private var startsBareTestArgument: Bool {
        switch current.kind {
        case .name(let name): return !["else", "or", "and", "is", "if", "in", "not"].contains(name)
        case .string, .integer, .float, .symbol("["), .symbol("{"): return true
        default: return false
        }
    }
}
