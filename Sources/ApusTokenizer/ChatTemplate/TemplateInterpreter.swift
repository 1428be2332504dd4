import Foundation

/// Variables visible at one level of nesting (template, loop or macro body).
final class Scope {
    var variables: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let current = scope {
            if let value = current.variables[name] { return value }
            scope = current.parent
        }
        return nil
    }
}

/// Executes a parsed template once. Statements live here; expressions, filters, tests and
/// methods are in their own files.
final class TemplateInterpreter {
    /// How a statement list ended: normally, or by `break`/`continue` inside a loop.
    enum Flow { case normal, breakLoop, continueLoop }

    let now: Date

    init(now: Date) { self.now = now }

    func render(_ nodes: [Node], context: [String: Value]) throws(TemplateError) -> String {
        let globals = Scope(parent: nil)
        globals.variables = TemplateGlobals.make(now: now)
        let root = Scope(parent: globals)
        root.variables = context
        var output = ""
        _ = try execute(nodes, in: root, into: &output)
        return output
    }

    func execute(_ nodes: [Node], in scope: Scope, into output: inout String) throws(TemplateError) -> Flow {
        for node in nodes {
            let flow = try execute(node, in: scope, into: &output)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: Node, in scope: Scope, into output: inout String) throws(TemplateError) -> Flow {
        switch node {
        case .text(let text):
            output += text
        case .output(let expression, let line):
            output += try located(line) { () throws(TemplateError) in try evaluate(expression, in: scope).displayString }
        case .ifChain(let branches, let otherwise, let line):
            for branch in branches where try located(line, { () throws(TemplateError) in
                try evaluate(branch.condition, in: scope).isTruthy
            }) {
                return try execute(branch.body, in: scope, into: &output)
            }
            return try execute(otherwise, in: scope, into: &output)
        case .forLoop(let loop, let line):
            return try runLoop(loop, line: line, in: scope, into: &output)
        case .set(let target, let expression, let line):
            try located(line) { () throws(TemplateError) in
                try assign(try evaluate(expression, in: scope), to: target, in: scope)
            }
        case .setBlock(let name, let filters, let body, let line):
            var captured = ""
            _ = try execute(body, in: scope, into: &captured)
            var value = Value.string(captured)
            for filter in filters {
                value = try located(line) { () throws(TemplateError) in
                    try applyFilter(filter.name, to: value, filter.arguments, in: scope)
                }
            }
            scope.variables[name] = value
        case .macro(let definition, _):
            scope.variables[definition.name] = .callable(makeMacro(definition, closure: scope))
        case .callBlock(let callExpression, let parameters, let body, let line):
            guard case .call(let callee, let arguments) = callExpression else { return .normal }
            let caller = MacroDefinition(name: "caller", parameters: parameters, body: body)
            let result = try located(line) { () throws(TemplateError) in
                let function = try evaluate(callee, in: scope)
                var values = try evaluateArguments(arguments, in: scope)
                values.keyword.append(("caller", .callable(makeMacro(caller, closure: scope))))
                return try call(function, values)
            }
            output += result.displayString
        case .filterBlock(let filters, let body, let line):
            var captured = ""
            _ = try execute(body, in: scope, into: &captured)
            var value = Value.string(captured)
            for filter in filters {
                value = try located(line) { () throws(TemplateError) in
                    try applyFilter(filter.name, to: value, filter.arguments, in: scope)
                }
            }
            output += value.displayString
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    /// Runs `body`, attaching `line` to runtime errors that have none.
    func located<T>(_ line: Int, _ body: () throws(TemplateError) -> T) throws(TemplateError) -> T {
        do {
            return try body()
        } catch {
            throw error.located(at: line)
        }
    }

    private func runLoop(_ loop: ForLoop, line: Int, in scope: Scope, into output: inout String) throws(TemplateError) -> Flow {
        let loopScope = Scope(parent: scope)
        var items = try located(line) { () throws(TemplateError) in try evaluate(loop.iterable, in: scope).iterate() }
        if let condition = loop.condition {
            var kept: [Value] = []
            for item in items {
                try located(line) { () throws(TemplateError) in try assign(item, to: loop.target, in: loopScope) }
                if try located(line, { () throws(TemplateError) in try evaluate(condition, in: loopScope).isTruthy }) {
                    kept.append(item)
                }
            }
            items = kept
        }
        if items.isEmpty { return try execute(loop.otherwise, in: scope, into: &output) }
        for (index, item) in items.enumerated() {
            try located(line) { () throws(TemplateError) in try assign(item, to: loop.target, in: loopScope) }
            loopScope.variables["loop"] = Self.loopVariable(index: index, items: items)
            let flow = try execute(loop.body, in: loopScope, into: &output)
            if flow == .breakLoop { break }
        }
        return .normal
    }

    /// The `loop` object jinja2 exposes inside a for loop.
    private static func loopVariable(index: Int, items: [Value]) -> Value {
        var loop = OrderedDict()
        let count = items.count
        loop["index"] = .int(index + 1)
        loop["index0"] = .int(index)
        loop["revindex"] = .int(count - index)
        loop["revindex0"] = .int(count - index - 1)
        loop["first"] = .bool(index == 0)
        loop["last"] = .bool(index == count - 1)
        loop["length"] = .int(count)
        loop["depth"] = .int(1)
        loop["depth0"] = .int(0)
        loop["previtem"] = index > 0 ? items[index - 1] : .undefined(hint: "there is no previous item")
        loop["nextitem"] = index + 1 < count ? items[index + 1] : .undefined(hint: "there is no next item")
        loop["cycle"] = .callable(Callable(name: "loop.cycle") { arguments, _ throws(TemplateError) in
            guard !arguments.positional.isEmpty else { throw .runtime(message: "no items for cycling given", line: nil) }
            return arguments.positional[index % arguments.positional.count]
        })
        return .dict(loop)
    }

    func assign(_ value: Value, to target: AssignTarget, in scope: Scope) throws(TemplateError) {
        switch target {
        case .name(let name):
            scope.variables[name] = value
        case .tuple(let targets):
            let items = try value.iterate()
            guard items.count == targets.count else {
                throw .runtime(message: "cannot unpack \(items.count) values into \(targets.count) names", line: nil)
            }
            for (item, target) in zip(items, targets) { try assign(item, to: target, in: scope) }
        case .attribute(let objectName, let attribute):
            guard case .namespace(let namespace) = scope.lookup(objectName) else {
                throw .runtime(message: "cannot assign attribute on non-namespace object '\(objectName)'", line: nil)
            }
            namespace.attributes[attribute] = value
        }
    }

    /// A macro as a callable: binds arguments to parameters in a fresh scope over `closure`.
    private func makeMacro(_ definition: MacroDefinition, closure: Scope) -> Callable {
        Callable(name: definition.name) { arguments, interpreter throws(TemplateError) in
            let scope = Scope(parent: closure)
            var extraKeywords = OrderedDict()
            for (name, value) in arguments.keyword {
                if definition.parameters.contains(where: { $0.name == name }) || name == "caller" {
                    scope.variables[name] = value
                } else {
                    extraKeywords[name] = value
                }
            }
            for (position, parameter) in definition.parameters.enumerated() where scope.variables[parameter.name] == nil {
                if position < arguments.positional.count {
                    scope.variables[parameter.name] = arguments.positional[position]
                } else if let defaultValue = parameter.defaultValue {
                    scope.variables[parameter.name] = try interpreter.evaluate(defaultValue, in: scope)
                } else {
                    scope.variables[parameter.name] = .undefined(hint: "parameter '\(parameter.name)' was not provided")
                }
            }
            scope.variables["varargs"] = .array(Array(arguments.positional.dropFirst(definition.parameters.count)))
            scope.variables["kwargs"] = .dict(extraKeywords)
            var output = ""
            _ = try interpreter.execute(definition.body, in: scope, into: &output)
            return .string(output)
        }
    }
}
