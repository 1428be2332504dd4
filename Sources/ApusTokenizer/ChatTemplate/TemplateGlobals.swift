import Foundation

/// The functions every template can call: jinja2's globals plus transformers' additions.
enum TemplateGlobals {
    static func make(now: Date) -> [String: Value] {
        var globals: [String: Value] = [:]
        func define(_ name: String, _ body: @escaping (Arguments, TemplateInterpreter) throws(TemplateError) -> Value) {
            globals[name] = .callable(Callable(name: name, body: body))
        }
        define("raise_exception") { arguments, _ throws(TemplateError) in
            throw .raised(message: arguments.value(0, "message")?.displayString ?? "")
        }
        define("strftime_now") { arguments, interpreter throws(TemplateError) in
            guard case .string(let format)? = arguments.value(0, "format") else {
                throw .runtime(message: "strftime_now needs a format string", line: nil)
            }
            return .string(try PythonFormat.strftime(format, interpreter.now))
        }
        define("namespace") { arguments, _ throws(TemplateError) in
            let namespace = Namespace()
            for positional in arguments.positional {
                guard case .dict(let dict) = positional else {
                    throw .runtime(message: "namespace() takes a dict or keyword arguments", line: nil)
                }
                for (key, value) in dict.pairs { namespace.attributes[key] = value }
            }
            for (key, value) in arguments.keyword { namespace.attributes[key] = value }
            return .namespace(namespace)
        }
        define("dict") { arguments, _ throws(TemplateError) in
            var dict = OrderedDict()
            for (key, value) in arguments.keyword { dict[key] = value }
            return .dict(dict)
        }
        define("range") { arguments, _ throws(TemplateError) in
            let bounds = arguments.positional.compactMap(\.integer)
            guard bounds.count == arguments.positional.count, (1...3).contains(bounds.count) else {
                throw .runtime(message: "range() takes 1 to 3 integer arguments", line: nil)
            }
            let start = bounds.count == 1 ? 0 : bounds[0]
            let stop = bounds.count == 1 ? bounds[0] : bounds[1]
            let step = bounds.count == 3 ? bounds[2] : 1
            guard step != 0 else { throw .runtime(message: "range() arg 3 must not be zero", line: nil) }
            guard abs((stop - start) / step) <= 100_000 else { throw .runtime(message: "range too big", line: nil) }
            return .array(stride(from: start, to: stop, by: step).map { .int($0) })
        }
        return globals
    }
}
