import ApusCore
import ApusKernels
import Testing

/// The batched (matrix-matrix) kernels must give, for every (row, token) pair, exactly the
/// single dot's float, whatever the batch size: batch invariance (a row's result never
/// depends on the rows beside it) and the agreement between prompt processing and
/// token-by-token decoding rest on it.
@Suite("Batched products equal the single dot bit for bit")
struct BatchedProductTests {
    /// Token counts around the 8-token groups and the 4-token minimum, and two prompt sizes.
    static let tokenCounts = Array(1...9) + [12, 15, 33, 64]

    func check<F: QuantFormat>(_ format: F.Type, columns: Int, seed: UInt64,
                               rowCounts: [Int] = [1, 3, 13, 70], tokenCounts: [Int] = tokenCounts,
                               weights makeWeights: (Int, inout SeededGenerator) -> [UInt8]) throws {
        // Every instruction-set path this CPU has, forced in turn (the paths must agree bit for bit).
        for isa in InstructionSet.available {
            try InstructionSet.select(isa)
            defer { try? InstructionSet.select(.best(for: .current)) }
            try check(format, isa: isa, columns: columns, seed: seed, rowCounts: rowCounts, tokenCounts: tokenCounts,
                      weights: makeWeights)
        }
    }

    func check<F: QuantFormat>(_ format: F.Type, isa: InstructionSet, columns: Int, seed: UInt64, rowCounts: [Int],
                               tokenCounts: [Int], weights makeWeights: (Int, inout SeededGenerator) -> [UInt8]) throws {
        var rng = SeededGenerator(seed: seed)
        for threads in [1, 2] {
            let pool = try ThreadPool(threadCount: threads)
            // Odd row counts: tasks and the last task's rows are not multiples of anything.
            for rows in rowCounts {
                let weightBytes = makeWeights(rows, &rng)
                for tokens in tokenCounts {
                    let input = randomFloats(tokens * columns, &rng)
                    let activations = try QuantizedActivations(tokens: tokens, columns: columns, for: F.type)
                    try input.withUnsafeBufferPointer {
                        try activations.quantize($0.baseAddress!, tokens: tokens, columns: columns, for: F.type)
                    }
                    var output = [Float](repeating: .nan, count: tokens * rows)
                    try weightBytes.withUnsafeBytes { raw in
                        let weights = try WeightMatrix(data: raw.baseAddress!, type: F.type, rows: rows, columns: columns)
                        try output.withUnsafeMutableBufferPointer {
                            try MatMul.multiply(weights, activations, into: $0.baseAddress!, pool: pool)
                        }
                        var mismatches = 0
                        for token in 0..<tokens {
                            for row in 0..<rows {
                                let single = F.dot(weights.row(row), activations.row(token), count: columns)
                                if output[token * rows + row].bitPattern != single.bitPattern { mismatches += 1 }
                            }
                        }
                        #expect(mismatches == 0, "\(isa): \(F.type) \(rows)×\(columns), \(tokens) tokens, \(threads) threads: \(mismatches) results differ from the single dot")
                    }
                }
            }
        }
    }

    @Test func q4_0() throws {
        try check(Q4_0Format.self, columns: 5 * 32, seed: 41) { rows, rng in randomWeights(Q4_0Format.self, rows: rows, columns: 5 * 32, &rng) }
    }

    @Test func q4_1() throws {
        try check(Q4_1Format.self, columns: 7 * 32, seed: 42) { rows, rng in randomWeights(Q4_1Format.self, rows: rows, columns: 7 * 32, &rng) }
    }

    @Test func q5_0() throws {
        try check(Q5_0Format.self, columns: 9 * 32, seed: 43) { rows, rng in randomWeights(Q5_0Format.self, rows: rows, columns: 9 * 32, &rng) }
    }

    @Test func q8_0() throws {
        try check(Q8_0Format.self, columns: 6 * 32, seed: 44) { rows, rng in randomWeights(Q8_0Format.self, rows: rows, columns: 6 * 32, &rng) }
    }

    /// Arbitrary quant bytes, including −128, which no quantizer writes but a file may hold.
    @Test func q8_0AnyBytes() throws {
        try check(Q8_0Format.self, columns: 3 * 32, seed: 45) { rows, rng in
            randomWeightRow(.q8_0, blocks: rows * 3, halfOffsets: [0], &rng)
        }
    }

    @Test func q4_K() throws {
        try check(Q4_KFormat.self, columns: 3 * 256, seed: 46) { rows, rng in randomWeights(Q4_KFormat.self, rows: rows, columns: 3 * 256, &rng) }
    }

    @Test func q6_K() throws {
        try check(Q6_KFormat.self, columns: 2 * 256, seed: 47) { rows, rng in randomWeights(Q6_KFormat.self, rows: rows, columns: 2 * 256, &rng) }
    }

    /// Q4_K and Q6_K on eight interleaved rows with rows long enough that the tokens pass in
    /// several blocks (the last one partial), row counts that leave tasks with a tail of
    /// fewer than eight rows, and token counts that leave one to three tokens to single dots.
    @Test func interleavedTokenBlocks() throws {
        let rows = [64, 75], tokens = [37, 70]
        try check(Q4_KFormat.self, columns: 40 * 256, seed: 53, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q4_KFormat.self, rows: rows, columns: 40 * 256, &rng)
        }
        try check(Q6_KFormat.self, columns: 40 * 256, seed: 54, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q6_KFormat.self, rows: rows, columns: 40 * 256, &rng)
        }
    }

    /// Row counts that give tasks of sixteen-row groups (the AVX-512 kernels) with a tail of
    /// rows, and token counts that leave tokens to single dots.
    @Test func sixteenRowGroups() throws {
        let rows = [150, 301], tokens = [2, 4, 7, 9, 33]
        try check(Q4_KFormat.self, columns: 3 * 256, seed: 55, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q4_KFormat.self, rows: rows, columns: 3 * 256, &rng)
        }
        try check(Q5_0Format.self, columns: 7 * 32, seed: 56, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q5_0Format.self, rows: rows, columns: 7 * 32, &rng)
        }
        try check(Q4_1Format.self, columns: 5 * 32, seed: 57, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q4_1Format.self, rows: rows, columns: 5 * 32, &rng)
        }
        try check(Q8_0Format.self, columns: 3 * 32, seed: 58, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeightRow(.q8_0, blocks: rows * 3, halfOffsets: [0], &rng)
        }
        try check(Q4_0Format.self, columns: 9 * 32, seed: 59, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q4_0Format.self, rows: rows, columns: 9 * 32, &rng)
        }
    }

    /// Rows long enough to be cut into several spans of blocks (accumulators resumed from scratch).
    @Test func longRows() throws {
        let rows = [3, 13], tokens = [5, 8, 17]
        try check(Q8_0Format.self, columns: 131 * 32, seed: 48, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q8_0Format.self, rows: rows, columns: 131 * 32, &rng)
        }
        try check(Q5_0Format.self, columns: 127 * 32, seed: 52, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q5_0Format.self, rows: rows, columns: 127 * 32, &rng)
        }
        try check(Q4_1Format.self, columns: 125 * 32, seed: 49, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q4_1Format.self, rows: rows, columns: 125 * 32, &rng)
        }
        try check(Q4_KFormat.self, columns: 15 * 256, seed: 50, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q4_KFormat.self, rows: rows, columns: 15 * 256, &rng)
        }
        try check(Q6_KFormat.self, columns: 15 * 256, seed: 51, rowCounts: rows, tokenCounts: tokens) { rows, rng in
            randomWeights(Q6_KFormat.self, rows: rows, columns: 15 * 256, &rng)
        }
    }
}
