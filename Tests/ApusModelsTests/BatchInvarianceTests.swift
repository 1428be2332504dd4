import ApusGGUF
import ApusKernels
import ApusModels
import ApusTestSupport
import Foundation
import Testing

/// The numerics contract on the real models: a row's logits are a function of its own
/// sequence alone. Several sequences are run through random mixed batches (1–64 rows, random
/// prompt chunks, rows of different sequences interleaved, sequences at different depths,
/// some rolled back with `truncate` and recomputed, as speculative decoding will) on 1 and 2
/// threads, and every row must equal, bit for bit, the same position computed with the
/// sequence alone — both one token at a time and as one prompt.
@Suite(.serialized) struct BatchInvarianceTests {
    /// Per model: sequences in the test and the range of their lengths (smaller for the
    /// larger models, which decode slowly in the one-token-at-a-time reference).
    static let models: [(name: String, sequences: Int, lengths: ClosedRange<Int>, schedules: Int)] = [
        ("smollm2-135m", 5, 10...48, 3),
        ("gemma3-270m", 4, 10...40, 2),
        ("qwen2.5-coder-0.5b", 4, 8...36, 2),
        ("qwen2.5-coder-1.5b", 3, 8...24, 1),
    ]

    static let maxBatch = 64

    @Test(arguments: models.map(\.name))
    func rowsEqualTheirSequenceAlone(model name: String) throws {
        guard let path = try TestModels.path(name) else { return }
        let setup = Self.models.first { $0.name == name }!
        let file = try GGUFFile(path: path)
        let contextLength = 128
        let one = try TransformerModel(file: file, pool: ThreadPool(threadCount: 1), maxBatchTokens: Self.maxBatch,
                                       contextLength: contextLength)
        let two = try TransformerModel(file: file, pool: ThreadPool(threadCount: 2), maxBatchTokens: Self.maxBatch,
                                       contextLength: contextLength)
        var random = InvarianceRandom(seed: 0xA9B5 &+ UInt64(name.utf8.count))
        let vocabulary = one.hyperparameters.vocabularySize
        let prompts: [[Int]] = (0..<setup.sequences).map { _ in
            (0..<random.int(in: setup.lengths)).map { _ in random.int(in: 0...(vocabulary - 1)) }
        }

        // The references: each sequence alone, one token at a time (1 thread) and as one
        // prompt (2 threads); they must already agree with each other.
        var reference: [[[Float]]] = []
        for prompt in prompts {
            let cache = one.makeCache(tokens: contextLength)
            try cache.reserve(sequence: 0, tokens: prompt.count)
            var rows: [[Float]] = []
            for (position, token) in prompt.enumerated() {
                var batch = ForwardBatch()
                batch.append(token: token, position: position, sequence: 0, logits: true)
                rows.append(Array(try one.forward(batch, cache: cache).row(0)))
            }
            let whole = two.makeCache(tokens: contextLength)
            try whole.reserve(sequence: 0, tokens: prompt.count)
            var batch = ForwardBatch()
            batch.append(tokens: prompt, startingAt: 0, sequence: 0, allLogits: true)
            let logits = try two.forward(batch, cache: whole)
            let differing = (0..<prompt.count).filter { !Self.identical(logits.row($0), rows[$0]) }
            #expect(differing.isEmpty, "\(name): one prompt vs one token at a time differ at positions \(differing)")
            reference.append(rows)
        }

        // Mixed batches on each pool.
        var steps = 0, rowsChecked = 0, rollbacks = 0
        for model in [one, two] {
            for _ in 0..<setup.schedules {
                let cache = model.makeCache(tokens: prompts.count * contextLength)
                var computed = [Int](repeating: 0, count: prompts.count)
                while computed.indices.contains(where: { computed[$0] < prompts[$0].count }) {
                    // Each sequence with work left may take a chunk of random length; then the
                    // chunks are merged in random order, each keeping its own row order.
                    var budget = random.int(in: 1...Self.maxBatch)
                    var chunks: [[(sequence: Int, position: Int)]] = []
                    for sequence in prompts.indices.shuffled(using: &random) where budget > 0 {
                        let left = prompts[sequence].count - computed[sequence]
                        guard left > 0, random.int(in: 0...9) < 8 else { continue }
                        let length = random.int(in: 1...min(left, budget))
                        budget -= length
                        chunks.append((computed[sequence]..<(computed[sequence] + length)).map { (sequence, $0) })
                        computed[sequence] += length
                        try cache.reserve(sequence: sequence, tokens: computed[sequence])
                    }
                    guard !chunks.isEmpty else { continue }
                    var rows: [(sequence: Int, position: Int)] = []
                    while !chunks.isEmpty {
                        let pick = random.int(in: 0...(chunks.count - 1))
                        rows.append(chunks[pick].removeFirst())
                        if chunks[pick].isEmpty { chunks.remove(at: pick) }
                    }
                    var batch = ForwardBatch()
                    for row in rows {
                        batch.append(token: prompts[row.sequence][row.position], position: row.position,
                                     sequence: row.sequence, logits: true)
                    }
                    let logits = try model.forward(batch, cache: cache)
                    for (i, row) in rows.enumerated() where !Self.identical(logits.row(i), reference[row.sequence][row.position]) {
                        Issue.record("\(name), \(model.pool.threadCount) thread(s): sequence \(row.sequence) position \(row.position) in a batch of \(rows.count) rows differs from the sequence alone")
                    }
                    steps += 1
                    rowsChecked += rows.count
                    // Now and then a sequence rolls back a few positions and recomputes them.
                    if random.int(in: 0...4) == 0, let sequence = rows.last?.sequence, computed[sequence] > 1 {
                        computed[sequence] -= random.int(in: 1...min(5, computed[sequence] - 1))
                        cache.truncate(sequence: sequence, tokens: computed[sequence])
                        rollbacks += 1
                    }
                }
            }
        }
        print("\(name): \(rowsChecked) rows in \(steps) mixed batches (\(rollbacks) rollbacks) identical to their sequences alone")
        #expect(rowsChecked >= prompts.reduce(0) { $0 + $1.count } * 2 * setup.schedules)
    }

    static func identical(_ a: UnsafeBufferPointer<Float>, _ b: [Float]) -> Bool {
        a.count == b.count && b.withUnsafeBufferPointer { memcmp($0.baseAddress!, a.baseAddress!, 4 * a.count) == 0 }
    }
}

/// A small seeded generator so every run draws the same schedule.
struct InvarianceRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}
