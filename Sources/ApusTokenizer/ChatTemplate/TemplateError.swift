/// Why a chat template could not be compiled or rendered.
///
/// Compile-time cases name the line; runtime cases carry the message jinja2 would give
/// (for `raise_exception`, the template's own message).
public enum TemplateError: Error, CustomStringConvertible, Equatable {
    /// The template text is not valid Jinja (line is 1-based).
    case syntax(message: String, line: Int)
    /// The template uses a construct this interpreter does not implement.
    case unsupported(construct: String, line: Int)
    /// The template called `raise_exception(message)`, usually because of the messages given.
    case raised(message: String)
    /// A value was used in a way Jinja forbids (undefined variable used, wrong type, ...).
    case runtime(message: String, line: Int?)

    public var description: String {
        switch self {
        case .syntax(let message, let line):
            return "chat template syntax error on line \(line): \(message); fix the template"
        case .unsupported(let construct, let line):
            return "chat template uses \(construct) on line \(line), which Apus does not support; "
                + "use a template without it or report it"
        case .raised(let message):
            return "chat template rejected the conversation: \(message)"
        case .runtime(let message, let line):
            let place = line.map { " on line \($0)" } ?? ""
            return "chat template failed\(place): \(message); check the messages and tools passed in"
        }
    }

    /// The same error with `line` filled in if it had none.
    func located(at line: Int) -> TemplateError {
        if case .runtime(let message, nil) = self { return .runtime(message: message, line: line) }
        return self
    }
}
