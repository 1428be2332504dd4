import ApusGGUF
import ApusTokenizer
import ArgumentParser
import Foundation

/// `apus tokenize -m MODEL [TEXT | --file F | --stdin]`: the token ids of some text.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the token ids (and pieces) a model's tokenizer gives for some text.")

    @Option(name: [.short, .customLong("model")], help: "A catalog model name (see `apus list`) or a path to a .gguf file.")
    var model: String

    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?

    @Argument(help: "The text to tokenize (or use --file / --stdin).")
    var text: String?

    @Option(name: .long, help: "Read the text from this file.")
    var file: String?

    @Flag(name: .long, help: "Read the text from standard input.")
    var stdin = false

    @Flag(name: .long, help: "Print only a JSON array of ids.")
    var ids = false

    @Flag(name: .long, help: "Print only the number of tokens.")
    var count = false

    @Flag(name: .customLong("no-bos"), help: "Leave out the BOS token the model would add.")
    var noBOS = false

    @Flag(name: .long, help: "Let control-token text (<|im_start|>) become control tokens.")
    var special = false

    @Flag(name: .long, help: "Print load and tokenize times to standard error.")
    var timing = false

    func validate() throws {
        let sources = (text != nil ? 1 : 0) + (file != nil ? 1 : 0) + (stdin ? 1 : 0)
        guard sources == 1 else { throw ValidationError("give exactly one of TEXT, --file F or --stdin") }
        guard !(ids && count) else { throw ValidationError("--ids and --count cannot be combined") }
    }

    func run() throws {
        let path = try resolveModel(model, modelsDir: modelsDir)
        let input = try readInput()
        let loadStart = DispatchTime.now()
        let tokenizer = try Tokenizer(file: try GGUFFile(path: path))
        let encodeStart = DispatchTime.now()
        var tokens = tokenizer.encode(input, addSpecial: true, parseSpecial: special)
        let encodeEnd = DispatchTime.now()
        if noBOS, tokenizer.vocabulary.addBOS, let first = tokens.first, first == tokenizer.vocabulary.bos {
            tokens.removeFirst()
        }
        if timing {
            let load = Double(encodeStart.uptimeNanoseconds - loadStart.uptimeNanoseconds) / 1e6
            let encode = Double(encodeEnd.uptimeNanoseconds - encodeStart.uptimeNanoseconds) / 1e6
            let megabytes = Double(input.utf8.count) / 1e6
            FileHandle.standardError.write(Data(String(format: "load %.1f ms, tokenize %.1f ms, %.2f MB/s\n",
                                                       load, encode, megabytes / (encode / 1000)).utf8))
        }
        if count {
            print(tokens.count)
        } else if ids {
            print("[" + tokens.map(String.init).joined(separator: ", ") + "]")
        } else {
            for id in tokens {
                let piece = String(decoding: tokenizer.piece(id, special: true), as: UTF8.self)
                print(String(format: "%7d", id) + " -> " + Self.quoted(piece))
            }
        }
    }

    private func readInput() throws -> String {
        if let text { return text }
        let data: Data
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read '\(file)'")
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The piece in quotes with control characters escaped, so spaces and newlines show.
    static func quoted(_ piece: String) -> String {
        var out = "'"
        for scalar in piece.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "'"
    }
}
