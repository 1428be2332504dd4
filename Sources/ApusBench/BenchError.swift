/// What went wrong while preparing or running a serving benchmark, and what to do about it.
public enum BenchError: Error, CustomStringConvertible, Equatable {
    /// An option value is out of range or malformed.
    case invalidOption(name: String, reason: String)
    /// A `--goodput` entry is not `ttft:MS`, `tpot:MS` or `e2el:MS`.
    case invalidGoodput(String)
    /// The dataset file cannot be read.
    case unreadableDataset(path: String, reason: String)
    /// A dataset line is not a usable conversation.
    case invalidDatasetLine(path: String, line: Int, reason: String)
    /// The dataset holds fewer usable prompts than were asked for.
    case tooFewPrompts(available: Int, requested: Int)
    /// The server's model list could not be read, so no model name is known.
    case modelDiscoveryFailed(url: String, reason: String)
    /// Every warm-up request failed, so the measured run would too.
    case warmupFailed(String)
    /// The output file cannot be written.
    case unwritableOutput(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidOption(let name, let reason):
            return "invalid \(name): \(reason)"
        case .invalidGoodput(let entry):
            return "invalid --goodput entry '\(entry)': write KEY:MILLISECONDS with KEY one of ttft, tpot, e2el (for example ttft:1000 tpot:100)"
        case .unreadableDataset(let path, let reason):
            return "cannot read dataset '\(path)': \(reason)"
        case .invalidDatasetLine(let path, let line, let reason):
            return "\(path):\(line): \(reason) (each line must be a JSON object with `conversations` [{from, value}, …] or `prompt` and optional `output_len`)"
        case .tooFewPrompts(let available, let requested):
            return "the dataset has \(available) usable prompts but --num-prompts asks for \(requested); lower --num-prompts or use a larger file"
        case .modelDiscoveryFailed(let url, let reason):
            return "cannot list models at \(url) (\(reason)); pass --model NAME"
        case .warmupFailed(let error):
            return "the warm-up request failed, so the benchmark did not start: \(error) (check --base-url, --endpoint and --model)"
        case .unwritableOutput(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        }
    }
}
