import ApusGGUF
import ApusKernels
import ApusModels
import ApusTestSupport
import Testing

/// Every instruction-set path on the real models: the logits of a prompt (every row, a batch
/// large enough for the batched kernels, with a tail of rows they leave to single dots) are
/// bit-identical whichever path computes them (the numerics contract: the order of every
/// output depends only on the shapes).
@Suite(.serialized, .enabled(if: InstructionSet.available.count > 1, "this CPU has one kernel path: nothing to compare"))
struct InstructionSetLogitsTests {
    static let models = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]

    @Test(arguments: models)
    func logitsIdenticalOnEveryPath(model name: String) throws {
        guard let path = try TestModels.path(name) else { return }
        let paths = InstructionSet.available
        let file = try GGUFFile(path: path)
        let tokens = 67
        let model = try TransformerModel(file: file, pool: ThreadPool(threadCount: 2), maxBatchTokens: tokens,
                                         contextLength: 128)
        var random = InvarianceRandom(seed: 0x17 &+ UInt64(name.utf8.count))
        let prompt = (0..<tokens).map { _ in random.int(in: 0...(model.hyperparameters.vocabularySize - 1)) }
        defer { try? InstructionSet.select(.best(for: .current)) }
        // Each path runs the prompt whole and cut into chunks of 1, 4, 7, 16 and 39 tokens
        // (single dots, the four-token passes, padded pairs, several passes).
        let chunkings = [[tokens], [1, 4, 7, 16, 39]]
        var results: [(String, [[Float]])] = []
        for isa in paths {
            try InstructionSet.select(isa)
            for chunks in chunkings {
                let cache = model.makeCache(tokens: 128)
                try cache.reserve(sequence: 0, tokens: tokens)
                var rows: [[Float]] = []
                var start = 0
                for length in chunks {
                    var batch = ForwardBatch()
                    batch.append(tokens: Array(prompt[start ..< start + length]), startingAt: start, sequence: 0, allLogits: true)
                    let logits = try model.forward(batch, cache: cache)
                    rows += (0..<length).map { Array(logits.row($0)) }
                    start += length
                }
                results.append(("\(isa) in chunks \(chunks)", rows))
            }
        }
        let (baseISA, base) = results[0]
        for (isa, rows) in results.dropFirst() {
            let differing = (0..<tokens).filter { rows[$0].map(\.bitPattern) != base[$0].map(\.bitPattern) }
            #expect(differing.isEmpty, "\(name): \(isa) logits differ from \(baseISA) at positions \(differing)")
        }
    }
}
