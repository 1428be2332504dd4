import ApusEngine
import ApusGGUF
import ApusKernels
import ApusModels
import ApusTestSupport
import ApusTokenizer
import Foundation
import Testing

/// A fixture file that cannot be read.
struct MalformedFixture: Error, CustomStringConvertible {
    let description: String
}

/// Fidelity by KL divergence, as llama.cpp judges its own backends.
///
/// Against llama.cpp: the fixtures (scripts/make-kld-fixtures.py) hold llama.cpp's AVX2
/// build's top-32 log-probabilities on two windows of 128 tokens, and how far llama.cpp's
/// native build (AVX-512 on the machine that made them) is from it on the same rows. Apus
/// must be no further than that: its top-K KLD and PPL difference within llama.cpp's own
/// spread (its PPL difference up to three standard errors of the 126-row sample), and its
/// top token the same as often (within three points).
///
/// The `--kl-divergence-base` file format: a base Apus writes and reads back gives zero
/// divergence from itself, up to the format's 16-bit quantization.
@Suite(.serialized) struct KLDivergenceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// One fixture (layout in scripts/make-kld-fixtures.py).
    struct Fixture {
        let contextLength: Int, vocabularySize: Int, chunks: Int, k: Int
        let nativeKLD: Double, nativeSameTop: Double, referencePPL: Double, nativePPL: Double
        let tokens: [Int]
        /// Per scored row: log p(next token), the top K ids and their log-probabilities.
        let rows: [(target: Double, ids: [Int], logProbabilities: [Double])]

        init(contentsOf url: URL) throws {
            let data = try [UInt8](Data(contentsOf: url))
            var offset = 0
            func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
                guard offset + count <= data.count else { throw MalformedFixture(description: "\(url.path) ends early") }
                defer { offset += count }
                return data[offset..<(offset + count)]
            }
            func int() throws -> Int { Int(Int32(bitPattern: try bytes(4).enumerated().reduce(0) { $0 | UInt32($1.1) << (8 * $1.0) })) }
            func float() throws -> Double { Double(Float(bitPattern: UInt32(bitPattern: Int32(try int())))) }
            guard Array(try bytes(8)) == Array("APUSTOPK".utf8) else { throw MalformedFixture(description: "\(url.path) is not a top-K fixture") }
            contextLength = try int(); vocabularySize = try int(); chunks = try int(); k = try int()
            nativeKLD = try float(); nativeSameTop = try float(); referencePPL = try float(); nativePPL = try float()
            tokens = try (0..<(chunks * contextLength)).map { _ in try int() }
            let rowCount = chunks * LogitBaseFile.rowsPerChunk(contextLength: contextLength)
            let k = self.k
            rows = try (0..<rowCount).map { _ in
                let target = try float()
                var ids: [Int] = [], logProbabilities: [Double] = []
                for _ in 0..<k {
                    ids.append(try int())
                    logProbabilities.append(try float())
                }
                return (target, ids, logProbabilities)
            }
        }
    }

    /// KL_K(reference ‖ ours): the reference's top K tokens and one bucket for the rest.
    static func topKDivergence(_ logits: UnsafeBufferPointer<Float>, ids: [Int], logProbabilities: [Double]) -> Double {
        let maximum = Double(logits.max()!)
        let logNormalizer = log(logits.reduce(0.0) { $0 + exp(Double($1) - maximum) }) + maximum
        var divergence = 0.0, referenceMass = 0.0, ourMass = 0.0
        for (id, logP) in zip(ids, logProbabilities) {
            let logQ = Double(logits[id]) - logNormalizer
            divergence += exp(logP) * (logP - logQ)
            referenceMass += exp(logP)
            ourMass += exp(logQ)
        }
        let referenceRest = max(0, 1 - referenceMass), ourRest = max(1e-30, 1 - ourMass)
        if referenceRest > 0 { divergence += referenceRest * (log(referenceRest) - log(ourRest)) }
        return divergence
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
    func withinLlamaCppsOwnSpread(model name: String) throws {
        let url = Self.fixtures.appendingPathComponent("kld-\(name).bin")
        guard let path = try TestModels.path(name), FileManager.default.fileExists(atPath: url.path) else { return }
        let fixture = try Fixture(contentsOf: url)
        let file = try GGUFFile(path: path)
        let model = try TransformerModel(file: file, pool: ThreadPool(threadCount: 2), maxBatchTokens: fixture.contextLength,
                                         maxLogitRows: fixture.contextLength, contextLength: fixture.contextLength)
        #expect(model.hyperparameters.vocabularySize == fixture.vocabularySize)
        let evaluator = PerplexityEvaluator(model: model, tokenizer: try Tokenizer(file: file), contextLength: fixture.contextLength)
        var row = 0, divergence = 0.0, sameTop = 0, referenceNLL = 0.0
        var nllDifferences: [Double] = []
        let result = try evaluator.scoreWindows(fixture.tokens, windows: fixture.chunks) { _, logits, target in
            let reference = fixture.rows[row]
            divergence += Self.topKDivergence(logits, ids: reference.ids, logProbabilities: reference.logProbabilities)
            var top = 0
            for i in 1..<logits.count where logits[i] > logits[top] { top = i }
            if top == reference.ids[0] { sameTop += 1 }
            referenceNLL -= reference.target
            row += 1
            let maximum = logits.max()!
            let nll = log(logits.reduce(0.0) { $0 + exp(Double($1 - maximum)) }) - Double(logits[target] - maximum)
            nllDifferences.append(nll + reference.target)
            return nll
        }
        #expect(row == fixture.rows.count)
        let meanDivergence = divergence / Double(row)
        let sameTopFraction = Double(sameTop) / Double(row)
        let referencePPL = exp(referenceNLL / Double(row))
        // ln PPL(Apus) − ln PPL(base) is the mean of the rows' NLL differences; on 126 rows its
        // standard error is of the same size as llama.cpp's own native-vs-AVX2 difference.
        let meanDifference = nllDifferences.reduce(0, +) / Double(row)
        let spread = (nllDifferences.reduce(0) { $0 + ($1 - meanDifference) * ($1 - meanDifference) } / Double(row - 1)).squareRoot()
        let standardError = spread / Double(row).squareRoot()
        let nativeLogRatio = abs(log(fixture.nativePPL / fixture.referencePPL))
        print("\(name): " + String(format: "top-%d KLD from llama.cpp AVX2: Apus %.6f, llama.cpp native %.6f; same top: Apus %.1f%%, native %.1f%%; PPL: AVX2 %.4f, Apus %.4f, native %.4f",
                     fixture.k, meanDivergence, fixture.nativeKLD, 100 * sameTopFraction, 100 * fixture.nativeSameTop,
                     referencePPL, result.perplexity, fixture.nativePPL))
        #expect(meanDivergence <= Self.allowance(fixture.nativeKLD), "mean top-K KLD \(meanDivergence) vs llama.cpp native \(fixture.nativeKLD)")
        #expect(abs(meanDifference) <= nativeLogRatio + 3 * standardError,
                "ln PPL ratio \(meanDifference) ± \(standardError) vs llama.cpp native's \(nativeLogRatio): PPL \(result.perplexity) vs llama.cpp AVX2 \(referencePPL) (native \(fixture.nativePPL))")
        #expect(sameTopFraction >= fixture.nativeSameTop - 0.03)
    }

    /// The bar with room for sampling noise: on 126 rows a single token's divergence moves
    /// the mean, so Apus may exceed llama.cpp's own figure by half of it again plus a floor.
    static func allowance(_ llamaCpp: Double) -> Double { 1.5 * llamaCpp + 0.001 }

    /// A base Apus writes (llama-perplexity's format) and then compares against: no divergence.
    @Test func baseRoundTripsThroughTheFile() throws {
        guard let path = try TestModels.path("smollm2-135m") else { return }
        let file = try GGUFFile(path: path)
        let model = try TransformerModel(file: file, pool: ThreadPool(threadCount: 2), maxBatchTokens: 64,
                                         maxLogitRows: 64, contextLength: 64)
        let evaluator = PerplexityEvaluator(model: model, tokenizer: try Tokenizer(file: file), contextLength: 64)
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("gpl-3.txt"), encoding: .utf8)
        let basePath = FileManager.default.temporaryDirectory.appendingPathComponent("apus-kld-\(getpid()).base").path
        defer { try? FileManager.default.removeItem(atPath: basePath) }
        let written = try evaluator.writeKLDivergenceBase(text, to: basePath, maxWindows: 2)
        let base = try LogitBaseFile(reading: basePath)
        #expect(base.contextLength == 64 && base.chunkCount == 2 && base.vocabularySize == model.hyperparameters.vocabularySize)
        #expect(Array(base.tokens.prefix(128)) == evaluator.tokenizer.encode(text, addSpecial: true).prefix(128).map(Int.init))
        let statistics = try evaluator.compare(with: base)
        #expect(statistics.count == 2 * 31)
        #expect(statistics.sameTopFraction == 1)
        #expect(statistics.meanKLD.mean < 1e-6)
        #expect(abs(statistics.basePerplexity - written.perplexity) / written.perplexity < 1e-3)
        #expect(abs(statistics.perplexity - written.perplexity) / written.perplexity < 1e-9)
        #expect(statistics.report.contains("Mean    KLD:"))
    }

    @Test func rejectsFilesThatAreNotBases() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("apus-not-a-base-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data("hello, world, not logits".utf8))
        #expect(throws: LogitBaseError.notABase(path: path)) { try LogitBaseFile(reading: path) }
        FileManager.default.createFile(atPath: path, contents: Data("_logits_".utf8) + Data([128, 0, 0, 0]))
        #expect(throws: LogitBaseError.truncated(path: path)) { try LogitBaseFile(reading: path) }
        #expect(throws: LogitBaseError.cannotOpen(path: path + ".missing")) { try LogitBaseFile(reading: path + ".missing") }
    }
}
