import ApusGGUF
import ApusGrammar
import ApusSampling
import ApusTokenizer
import ArgumentParser
import Foundation

/// `apus bench grammar`: grammar compile times and per-step token-mask times on a model's
/// vocabulary, replaying a valid output token by token (the model's own tokenization).
struct BenchGrammar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grammar",
        abstract: "Benchmark grammar compilation and per-step token masks on a model's vocabulary."
    )

    @Option(name: [.short, .customLong("model")], help: "A catalog model name or a path to a .gguf file.")
    var model: String = "qwen2.5-coder-0.5b"

    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?

    @Option(help: "A JSON file of [{\"name\", \"schema\"}] whose compile times to measure (e.g. Tests/ApusGrammarTests/Fixtures/schemas.json).")
    var schemas: String?

    @Option(help: "Compilations per schema (the median is kept).")
    var repeats: Int = 5

    /// Schemas with a valid output each, replayed to time the mask at every step.
    static let replayed: [(name: String, source: GrammarSource, output: String)] = [
        ("json_object", .jsonObject, #"{"name": "Ada Lovelace", "born": 1815, "fields": ["mathematics", "computing"], "note": null}"#),
        ("person", .jsonSchema(#"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":150},"email":{"type":"string","format":"email"}},"required":["name","age","email"],"additionalProperties":false}"#),
         #"{"name": "Grace Hopper", "age": 85, "email": "grace@navy.mil"}"#),
        ("invoice", .jsonSchema(#"{"type":"object","properties":{"number":{"type":"string","pattern":"^INV-[0-9]{6}$"},"date":{"type":"string","format":"date"},"lines":{"type":"array","minItems":1,"items":{"type":"object","properties":{"sku":{"type":"string","maxLength":12},"quantity":{"type":"integer","minimum":1},"price":{"type":"number","minimum":0}},"required":["sku","quantity","price"]}},"paid":{"type":"boolean"}},"required":["number","date","lines","paid"]}"#),
         #"{"number": "INV-004217", "date": "2024-02-29", "lines": [{"sku": "A-100", "quantity": 3, "price": 9.5}, {"sku": "B-7", "quantity": 12, "price": 120}], "paid": true}"#),
        ("tree", .jsonSchema(##"{"$defs":{"node":{"type":"object","properties":{"label":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["label","children"]}},"$ref":"#/$defs/node"}"##),
         #"{"label": "root", "children": [{"label": "left", "children": []}, {"label": "right", "children": [{"label": "leaf", "children": []}]}]}"#),
        ("regex", .regex("[A-Z][a-z]+ [0-9]{3}-[0-9]{4}"), "Seattle 555-0123"),
    ]

    func run() throws {
        let path = try resolveModel(model, modelsDir: modelsDir)
        let tokenizer = try Tokenizer(file: try GGUFFile(path: path))
        let trieStart = DispatchTime.now()
        let trie = VocabularyTrie(tokenizer: tokenizer)
        print(String(format: "vocabulary: %d tokens, trie of %d nodes built in %.1f ms", trie.vocabularySize, trie.nodeCount, Self.milliseconds(since: trieStart)))

        if let schemas {
            let entries = try Self.loadCorpus(schemas)
            var times: [Double] = []
            for (name, text) in entries {
                var samples: [Double] = []
                for _ in 0..<max(1, repeats) {
                    let start = DispatchTime.now()
                    _ = try CompiledGrammar(GrammarSource.jsonSchema(text).grammar(), trie: trie, tokenizer: tokenizer)
                    samples.append(Self.milliseconds(since: start))
                }
                times.append(Self.percentile(samples, 0.5))
                if times.count <= 3 || samples.max()! > 50 { print(String(format: "  compile %@: %.2f ms", name, times.last!)) }
            }
            print(String(format: "compile %d schemas: median %.2f ms, max %.2f ms (median of %d runs each)",
                         times.count, Self.percentile(times, 0.5), times.max() ?? 0, repeats))
        }

        // One compiler, as a server has: token tables of shared rules carry over between grammars.
        let compiler = GrammarCompiler(trie: trie, tokenizer: tokenizer)
        print("| grammar | steps | compile ms | first-use mask median / p99 / max ms | warm mask median / p99 ms | forced tokens |")
        print("|---|---|---|---|---|---|")
        for bench in Self.replayed {
            let compileStart = DispatchTime.now()
            let grammar = try compiler.compile(bench.source)
            let compile = Self.milliseconds(since: compileStart)
            let tokens = tokenizer.encode(bench.output, addSpecial: false).map(Int.init)
            let cold = try Self.replay(grammar, tokens: tokens, name: bench.name)
            let warm = try Self.replay(grammar, tokens: tokens, name: bench.name)
            print(String(format: "| %@ | %d | %.2f | %.3f / %.3f / %.1f | %.3f / %.3f | %d |", bench.name, tokens.count, compile,
                         Self.percentile(cold.times, 0.5), Self.percentile(cold.times, 0.99), cold.times.max() ?? 0,
                         Self.percentile(warm.times, 0.5), Self.percentile(warm.times, 0.99), warm.forced))
        }
    }

    /// Times `restrict` before each token of a valid output; counts tokens jump-forward would supply.
    static func replay(_ grammar: CompiledGrammar, tokens: [Int], name: String) throws -> (times: [Double], forced: Int) {
        let matcher = grammar.makeConstraint()
        var mask = TokenMask(vocabularySize: grammar.trie.vocabularySize, allowed: true)
        var times: [Double] = []
        var forced = 0
        var index = 0
        while index < tokens.count {
            let jump = matcher.forcedTokens()
            if !jump.isEmpty, Array(tokens[index...].prefix(jump.count)) == jump {
                for token in jump { _ = matcher.accept(token) }
                forced += jump.count
                index += jump.count
                continue
            }
            let token = tokens[index]
            for word in mask.words.indices { mask.words[word] = ~0 }
            let start = DispatchTime.now()
            matcher.restrict(&mask)
            times.append(milliseconds(since: start))
            guard mask.contains(token), matcher.accept(token) else {
                throw ValidationError("\(name): the grammar refused token \(token) at step \(index); the benchmark output is invalid")
            }
            index += 1
        }
        guard matcher.isComplete else { throw ValidationError("\(name): the benchmark output is incomplete") }
        return (times, forced)
    }

    static func loadCorpus(_ path: String) throws -> [(String, String)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard case .array(let items) = try JSONValue.parse(text) else { throw ValidationError("\(path): expected a JSON array") }
        return items.compactMap { item in
            guard case .string(let name)? = item["name"], let schema = item["schema"] else { return nil }
            return (name, schema.serialized)
        }
    }

    static func milliseconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}
