import ApusTokenizer

/// A request's `tools`, `tool_choice` and `parallel_tool_calls`, read from the ordered body
/// (a tool's parameter schema keeps its property order, as the template prints it).
struct ToolRequest {
    /// One function the model may call.
    struct Tool {
        var name: String
        /// The `{"type": "function", "function": {...}}` object as sent, for the template.
        var definition: ChatValue
        /// The JSON Schema of the arguments (an empty object schema when absent).
        var parameters: ChatValue
    }

    /// What `tool_choice` asks for.
    enum Choice: Equatable {
        case none, auto, required
        case function(String)
    }

    var tools: [Tool]
    var choice: Choice
    /// Whether several calls may come in one turn (OpenAI's default: true).
    var parallel: Bool

    /// Whether the output must be tool calls (and is constrained to them).
    var forcesCall: Bool {
        switch choice {
        case .required, .function: return true
        case .none, .auto: return false
        }
    }

    /// The tools in `body`, or nil when the request has none (or `tool_choice: none`).
    static func parse(_ body: ChatValue) throws(APIError) -> ToolRequest? {
        guard let members = body.objectValue else { return nil }
        var tools: [Tool] = []
        if let list = members["tools"], list != .null {
            guard let items = list.arrayValue else { throw APIError.invalid("tools must be an array", param: "tools", code: "invalid_type") }
            for (i, item) in items.enumerated() {
                let param = "tools[\(i)]"
                guard let object = item.objectValue, object["type"]?.stringValue == "function",
                      let function = object["function"]?.objectValue else {
                    throw APIError.invalid("\(param) must be {\"type\": \"function\", \"function\": {\"name\", \"parameters\"}}", param: param)
                }
                guard let name = function["name"]?.stringValue, !name.isEmpty,
                      name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "." }) else {
                    throw APIError.invalid("\(param).function.name must be a non-empty string of letters, digits, '_', '-' or '.'",
                                           param: "\(param).function.name")
                }
                guard !tools.contains(where: { $0.name == name }) else {
                    throw APIError.invalid("\(param).function.name '\(name)' is defined twice", param: "\(param).function.name")
                }
                var parameters: ChatValue = ["type": "object"]
                if let given = function["parameters"], given != .null {
                    guard given.objectValue != nil else {
                        throw APIError.invalid("\(param).function.parameters must be a JSON Schema object", param: "\(param).function.parameters",
                                               code: "invalid_type")
                    }
                    parameters = given
                }
                tools.append(Tool(name: name, definition: item, parameters: parameters))
            }
        }
        var choice = Choice.auto
        switch members["tool_choice"] {
        case nil, .null?: break
        case .string("none")?: choice = .none
        case .string("auto")?: choice = .auto
        case .string("required")?: choice = .required
        case .object(let object)?:
            guard object["type"]?.stringValue == "function", let name = object["function"]?.objectValue?["name"]?.stringValue else {
                throw APIError.invalid("tool_choice must be none, auto, required or {\"type\": \"function\", \"function\": {\"name\"}}",
                                       param: "tool_choice")
            }
            guard tools.contains(where: { $0.name == name }) else {
                throw APIError.invalid("tool_choice names the function '\(name)', which is not in tools", param: "tool_choice")
            }
            choice = .function(name)
        default:
            throw APIError.invalid("tool_choice must be none, auto, required or {\"type\": \"function\", \"function\": {\"name\"}}",
                                   param: "tool_choice")
        }
        if tools.isEmpty {
            guard choice == .none || choice == .auto else {
                throw APIError.invalid("tool_choice requires tools", param: "tool_choice")
            }
            return nil
        }
        var parallel = true
        if let value = members["parallel_tool_calls"], value != .null {
            guard case .bool(let flag) = value else {
                throw APIError.invalid("parallel_tool_calls must be a boolean", param: "parallel_tool_calls", code: "invalid_type")
            }
            parallel = flag
        }
        return ToolRequest(tools: tools, choice: choice, parallel: parallel)
    }
}
