import ApusCore
import ApusKernels
import Testing

/// Random weights of `F`'s type: encoded from floats where Apus can write the type, else random
/// bytes with every half-precision field set to a small finite value.
func randomWeights<F: QuantFormat>(_ format: F.Type, rows: Int, columns: Int, _ rng: inout SeededGenerator) -> [UInt8] {
    let values = randomFloats(rows * columns, &rng)
    switch F.type {
    case .f32: return values.withUnsafeBytes { Array($0) }
    case .f16: return values.flatMap { v in withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { Array($0) } }
    case .bf16: return values.flatMap { v in withUnsafeBytes(of: UInt16(v.bitPattern >> 16).littleEndian) { Array($0) } }
    case .q4_0: return quantized(Q4_0Format.self, values)
    case .q4_1: return quantized(Q4_1Format.self, values)
    case .q8_0: return quantized(Q8_0Format.self, values)
    case .q8_1: return quantized(Q8_1Format.self, values)
    case .q8_K: return quantized(Q8_KFormat.self, values)
    case .q5_0: return randomWeightRow(.q5_0, blocks: rows * columns / 32, halfOffsets: [0], &rng)
    case .q5_1: return randomWeightRow(.q5_1, blocks: rows * columns / 32, halfOffsets: [0, 2], &rng)
    case .q2_K: return randomWeightRow(.q2_K, blocks: rows * columns / 256, halfOffsets: [80, 82], &rng)
    case .q3_K: return randomWeightRow(.q3_K, blocks: rows * columns / 256, halfOffsets: [108], &rng)
    case .q4_K: return randomWeightRow(.q4_K, blocks: rows * columns / 256, halfOffsets: [0, 2], &rng)
    case .q5_K: return randomWeightRow(.q5_K, blocks: rows * columns / 256, halfOffsets: [0, 2], &rng)
    case .q6_K: return randomWeightRow(.q6_K, blocks: rows * columns / 256, halfOffsets: [208], &rng)
    default: fatalError("no test weights for \(F.type)")
    }
}

@Suite("Matrix products")
struct MatMulTests {
    func check<F: QuantFormat>(_ format: F.Type, columns: Int, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let pool = try ThreadPool(threadCount: 2)
        for rows in [1, 7, 33, 130] {
            let weightBytes = randomWeights(F.self, rows: rows, columns: columns, &rng)
            for tokens in [1, 2, 5, 13, 64] {
                let input = randomFloats(tokens * columns, &rng)
                let activations = try QuantizedActivations(tokens: tokens, columns: columns, for: F.type)
                try input.withUnsafeBufferPointer { try activations.quantize($0.baseAddress!, tokens: tokens, columns: columns, for: F.type, pool: pool) }
                var fast = [Float](repeating: .nan, count: tokens * rows)
                var reference = [Float](repeating: .nan, count: tokens * rows)
                try weightBytes.withUnsafeBytes { raw in
                    let weights = try WeightMatrix(data: raw.baseAddress!, type: F.type, rows: rows, columns: columns)
                    try fast.withUnsafeMutableBufferPointer { try MatMul.multiply(weights, activations, into: $0.baseAddress!, pool: pool) }
                    try reference.withUnsafeMutableBufferPointer { try MatMul.multiplyReference(weights, activations, into: $0.baseAddress!) }
                    // The threaded product must be exactly the fast dot of each pair, in the right place.
                    for token in 0..<tokens {
                        for row in 0..<rows {
                            let weightRow = raw.baseAddress! + row * weights.rowBytes
                            // One order per format: the same float whatever the product's size.
                            let single = F.dot(weightRow, activations.row(token), count: columns)
                            #expect(fast[token * rows + row] == single, "\(F.type) rows \(rows) tokens \(tokens) at (\(token), \(row))")
                        }
                    }
                }
                let scale = reference.map(abs).max() ?? 1
                let worst = zip(fast, reference).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-4 * max(scale, 1), "\(F.type) rows \(rows) tokens \(tokens): worst difference \(worst)")
            }
        }
    }

    @Test func f32() throws { try check(F32Format.self, columns: 71, seed: 1) }
    @Test func f16() throws { try check(F16Format.self, columns: 99, seed: 2) }
    @Test func bf16() throws { try check(BF16Format.self, columns: 64, seed: 3) }
    @Test func q4_0() throws { try check(Q4_0Format.self, columns: 7 * 32, seed: 4) }
    @Test func q4_1() throws { try check(Q4_1Format.self, columns: 33 * 32, seed: 5) }
    @Test func q5_0() throws { try check(Q5_0Format.self, columns: 3 * 32, seed: 6) }
    @Test func q5_1() throws { try check(Q5_1Format.self, columns: 5 * 32, seed: 7) }
    @Test func q8_0() throws { try check(Q8_0Format.self, columns: 9 * 32, seed: 8) }
    @Test func q8_1() throws { try check(Q8_1Format.self, columns: 1 * 32, seed: 9) }
    @Test func q2_K() throws { try check(Q2_KFormat.self, columns: 2 * 256, seed: 13) }
    @Test func q3_K() throws { try check(Q3_KFormat.self, columns: 3 * 256, seed: 14) }
    @Test func q4_K() throws { try check(Q4_KFormat.self, columns: 3 * 256, seed: 10) }
    @Test func q5_K() throws { try check(Q5_KFormat.self, columns: 1 * 256, seed: 15) }
    @Test func q6_K() throws { try check(Q6_KFormat.self, columns: 1 * 256, seed: 11) }
    @Test func q8_K() throws { try check(Q8_KFormat.self, columns: 2 * 256, seed: 12) }

    /// `dotFourRows` (the matrix-vector path) must give each row's `dot` bit for bit, for
    /// every format and row length, on several activation rows.
    func checkFourRows<F: QuantFormat>(_ format: F.Type, blockSize: Int, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for blocks in [1, 2, 7, 36] {
            let columns = blocks * blockSize
            let weightBytes = randomWeights(F.self, rows: 4, columns: columns, &rng)
            let tokens = 9
            let input = randomFloats(tokens * columns, &rng).map { $0 * Float(1 << Int(rng.next(upperBound: UInt32(12)))) }
            let activations = try QuantizedActivations(tokens: tokens, columns: columns, for: F.type)
            try input.withUnsafeBufferPointer { try activations.quantize($0.baseAddress!, tokens: tokens, columns: columns, for: F.type) }
            try weightBytes.withUnsafeBytes { raw in
                let weights = try WeightMatrix(data: raw.baseAddress!, type: F.type, rows: 4, columns: columns)
                for token in 0..<tokens {
                    let four = F.dotFourRows(weights.row(0), rowBytes: weights.rowBytes, activations.row(token), count: columns)
                    for row in 0..<4 {
                        let single = F.dot(weights.row(row), activations.row(token), count: columns)
                        #expect(four[row].bitPattern == single.bitPattern,
                                "\(F.type) \(blocks) blocks, token \(token), row \(row): \(four[row]) vs \(single)")
                    }
                }
            }
        }
    }

    @Test func fourRowDotsEqualSingleDots() throws {
        try checkFourRows(F32Format.self, blockSize: 8, seed: 21)
        try checkFourRows(F16Format.self, blockSize: 8, seed: 22)
        try checkFourRows(Q4_0Format.self, blockSize: 32, seed: 23)
        try checkFourRows(Q4_1Format.self, blockSize: 32, seed: 24)
        try checkFourRows(Q5_0Format.self, blockSize: 32, seed: 25)
        try checkFourRows(Q8_0Format.self, blockSize: 32, seed: 26)
        try checkFourRows(Q4_KFormat.self, blockSize: 256, seed: 27)
        try checkFourRows(Q5_KFormat.self, blockSize: 256, seed: 28)
        try checkFourRows(Q6_KFormat.self, blockSize: 256, seed: 29)
    }

    @Test func rejectsMismatchedActivations() throws {
        let pool = try ThreadPool(threadCount: 1)
        let weightBytes = [UInt8](repeating: 0, count: 4 * 18)
        let activations = try QuantizedActivations(tokens: 1, columns: 64, for: .q4_1)
        let input = [Float](repeating: 1, count: 64)
        try input.withUnsafeBufferPointer { try activations.quantize($0.baseAddress!, tokens: 1, columns: 64, for: .q4_1) }
        var output = [Float](repeating: 0, count: 2)
        try weightBytes.withUnsafeBytes { raw in
            let weights = try WeightMatrix(data: raw.baseAddress!, type: .q4_0, rows: 2, columns: 64)
            #expect(throws: KernelError.activationMismatch(expected: .q8_0, columns: 64, found: .q8_1, foundColumns: 64)) {
                try output.withUnsafeMutableBufferPointer { try MatMul.multiply(weights, activations, into: $0.baseAddress!, pool: pool) }
            }
        }
    }

    @Test func rejectsBadShapesAndTypes() throws {
        let bytes = [UInt8](repeating: 0, count: 64)
        try bytes.withUnsafeBytes { raw in
            #expect(throws: KernelError.rowNotBlockAligned(type: .q4_0, columns: 33)) {
                try WeightMatrix(data: raw.baseAddress!, type: .q4_0, rows: 1, columns: 33)
            }
            #expect(throws: KernelError.unsupportedWeightType(.iq2_xs)) {
                try WeightMatrix(data: raw.baseAddress!, type: .iq2_xs, rows: 1, columns: 256)
            }
            let tooShort = TensorView(name: "w", type: .q8_0, shape: [32, 2], data: raw.baseAddress!, byteCount: 34)
            #expect(throws: KernelError.self) { try WeightMatrix(tooShort) }
        }
        let activations = QuantizedActivations(capacityBytes: 34)
        let input = [Float](repeating: 1, count: 64)
        #expect(throws: KernelError.self) {
            try input.withUnsafeBufferPointer { try activations.quantize($0.baseAddress!, tokens: 2, columns: 32, for: .q8_0) }
        }
    }
}
