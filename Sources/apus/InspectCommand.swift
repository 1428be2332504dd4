import ApusCore
import ApusGGUF
import ArgumentParser
import Foundation

/// `apus inspect MODEL`: what a GGUF file holds, without running it.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a model's architecture, hyperparameters, tokenizer and tensors.")

    @OptionGroup var model: ModelOptions

    @Flag(name: .long, help: "List every tensor with its type, shape and size.")
    var tensors = false

    func run() throws {
        let path = try model.resolvedPath()
        let file = try GGUFFile(path: path)
        print(InspectReport(file: file, listTensors: tensors).render())
    }
}

/// The text `apus inspect` prints, built from a parsed file.
struct InspectReport {
    let file: GGUFFile
    let listTensors: Bool

    func render() -> String {
        let m = file.metadata
        var lines: [String] = []
        func row(_ label: String, _ value: String) { lines.append(label.padding(toLength: 26, withPad: " ", startingAt: 0) + value) }

        row("file", file.path ?? "(memory)")
        row("size", formatBytes(file.byteCount))
        row("GGUF version", "\(file.version)")
        row("architecture", m.string("general.architecture") ?? "(missing)")
        if let name = m.string("general.name") { row("name", name) }
        if let type = m.int("general.file_type") { row("file type", GGUFFileType.name(type)) }

        lines.append("")
        switch Result(catching: { try ModelHyperparameters(metadata: m) }) {
        case let .success(h):
            row("context length", "\(h.contextLength)")
            row("embedding length", "\(h.embeddingLength)")
            row("blocks", "\(h.blockCount)")
            row("feed-forward length", "\(h.feedForwardLength)")
            row("attention heads (q/kv)", "\(h.headCount) / \(h.headCountKV)")
            row("head dim (k/v)", "\(h.keyLength) / \(h.valueLength)")
            row("RoPE base / dims", "\(h.ropeFrequencyBase) / \(h.ropeDimensionCount)")
            row("RMSNorm epsilon", "\(h.rmsNormEpsilon)")
            if let window = h.slidingWindow { row("sliding window", "\(window)") }
        case let .failure(error):
            row("hyperparameters", "unreadable: \(error)")
        }

        lines.append("")
        row("tokenizer", m.string("tokenizer.ggml.model") ?? "(none)")
        if let pre = m.string("tokenizer.ggml.pre") { row("pre-tokenizer", pre) }
        row("vocabulary", "\(m.array("tokenizer.ggml.tokens")?.count ?? 0) tokens, \(m.array("tokenizer.ggml.merges")?.count ?? 0) merges")
        let bos = m.int("tokenizer.ggml.bos_token_id").map(String.init) ?? "-"
        let eos = m.int("tokenizer.ggml.eos_token_id").map(String.init) ?? "-"
        row("BOS / EOS ids", "\(bos) / \(eos)")
        row("chat template", m.string("tokenizer.chat_template").map { "yes (\($0.count) characters)" } ?? "no")

        lines.append("")
        var byType: [GGMLType: (count: Int, bytes: Int, elements: Int)] = [:]
        for t in file.tensors {
            byType[t.type, default: (0, 0, 0)].count += 1
            byType[t.type, default: (0, 0, 0)].bytes += t.byteCount
            byType[t.type, default: (0, 0, 0)].elements += t.elementCount
        }
        let parameters = file.tensors.reduce(0) { $0 + $1.elementCount }
        row("tensors", "\(file.tensors.count)")
        row("parameters", "\(parameters) (\(formatCount(parameters)))")
        for (type, stats) in byType.sorted(by: { $0.value.bytes > $1.value.bytes }) {
            let bits = Double(stats.bytes * 8) / Double(max(stats.elements, 1))
            row("  \(type)", "\(stats.count) tensors, \(formatBytes(stats.bytes)), \(String(format: "%.2f", bits)) bits/weight")
        }
        if listTensors {
            lines.append("")
            for t in file.tensors {
                lines.append("\(t.name.padding(toLength: 36, withPad: " ", startingAt: 0)) \(t.type.description.padding(toLength: 6, withPad: " ", startingAt: 0)) \(t.shape) \(formatBytes(t.byteCount))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// "1.23 GiB"-style sizes.
func formatBytes(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.2f %@", value, units[unit])
}

/// "135.0M"-style counts.
func formatCount(_ n: Int) -> String {
    if n >= 1_000_000_000 { return String(format: "%.2fB", Double(n) / 1e9) }
    if n >= 1_000_000 { return String(format: "%.1fM", Double(n) / 1e6) }
    return "\(n)"
}
