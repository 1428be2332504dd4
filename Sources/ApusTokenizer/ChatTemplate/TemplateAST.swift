/// A constant written in the template.
enum Literal: Sendable {
    case none, bool(Bool), int(Int), double(Double), string(String)
}

/// One argument of a call, filter or test: positional when `name` is nil.
struct Argument: Sendable {
    let name: String?
    let value: Expression
}

/// A Jinja expression.
indirect enum Expression: Sendable {
    case literal(Literal)
    case name(String)
    case list([Expression])
    case tuple([Expression])
    case dict([(key: Expression, value: Expression)])
    case attribute(Expression, String)
    case index(Expression, Expression)
    case slice(Expression, start: Expression?, stop: Expression?, step: Expression?)
    case call(Expression, [Argument])
    case filter(Expression, name: String, [Argument])
    case test(Expression, name: String, [Argument], negated: Bool)
    case not(Expression)
    case negate(Expression)
    case plus(Expression)
    case binary(String, Expression, Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case conditional(then: Expression, condition: Expression, otherwise: Expression?)
    /// A filter or test this interpreter lacks. Like jinja2 3.x, which checks filters inside
    /// conditionals only when they run, it fails when evaluated, naming the construct and line.
    case unsupported(construct: String, line: Int)
}

/// Where `set` and `for` store values.
indirect enum AssignTarget: Sendable {
    case name(String)
    case tuple([AssignTarget])
    case attribute(object: String, attribute: String)
}

/// A macro definition: parameters with optional default expressions.
struct MacroDefinition: Sendable {
    let name: String
    let parameters: [(name: String, defaultValue: Expression?)]
    let body: [Node]
}

/// A `for` loop.
struct ForLoop: Sendable {
    let target: AssignTarget
    let iterable: Expression
    let condition: Expression?
    let body: [Node]
    let otherwise: [Node]
}

/// A statement or piece of output in the template body; `line` is where it starts.
indirect enum Node: Sendable {
    case text(String)
    case output(Expression, line: Int)
    case ifChain([(condition: Expression, body: [Node])], otherwise: [Node], line: Int)
    case forLoop(ForLoop, line: Int)
    case set(AssignTarget, Expression, line: Int)
    case setBlock(String, filters: [(name: String, arguments: [Argument])], body: [Node], line: Int)
    case macro(MacroDefinition, line: Int)
    case callBlock(Expression, parameters: [(name: String, defaultValue: Expression?)], body: [Node], line: Int)
    case filterBlock([(name: String, arguments: [Argument])], body: [Node], line: Int)
    case breakLoop(line: Int)
    case continueLoop(line: Int)
}
