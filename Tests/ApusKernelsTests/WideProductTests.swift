import ApusCore
import ApusKernels
import Testing

/// The AVX-512 VNNI batched kernels (ApusKernelsAVX512, reached through `MatMul` when the
/// path is forced to `avx512`) and the AMX Q4_K kernel (path `amx`, where this machine has
/// it) against their scalar references and against the AVX2 path, bit for bit, for every
/// token count from 1 to 40 (AMX: one or two sixteen-token passes and the tokens left over)
/// and row counts that are no multiple of sixteen (tasks with a tail of rows).
///
/// The scalar reference of the K-quants is `dotReference` (their one order). For the
/// 32-value-block formats `dotReference` follows ggml's generic order; their one order (the
/// single `dot`'s: eight float lanes of four exact products each, one FMA per block, a fixed
/// tree) is spelled out here in plain scalar code by `blocks32LaneOrder`.
@Suite("AVX-512 kernels equal their scalar references bit for bit",
       .enabled(if: InstructionSet.available.contains(.avx512), "this CPU (or OS) has no AVX-512 VNNI"),
       .serialized)
struct WideProductTests {
    static let tokenCounts = Array(1...40)

    /// Checks `F`'s product on both paths for `rowCounts` × `tokenCounts`, on one and two threads.
    func check<F: QuantFormat>(_ format: F.Type, columns: Int, rowCounts: [Int], tokenCounts: [Int] = tokenCounts,
                               seed: UInt64, halfOffsets: [Int],
                               reference: (UnsafeRawPointer, UnsafeRawPointer, Int) -> Float) throws {
        defer { try? InstructionSet.select(.best(for: .current)) }
        var rng = SeededGenerator(seed: seed)
        let pools = try [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2)]
        for rows in rowCounts {
            let weightBytes = randomWeightRow(F.type, blocks: rows * columns / F.type.traits.blockSize,
                                              halfOffsets: halfOffsets, &rng)
            for tokens in tokenCounts {
                let input = randomFloats(tokens * columns, &rng)
                let activations = try QuantizedActivations(tokens: tokens, columns: columns, for: F.type)
                try input.withUnsafeBufferPointer {
                    try activations.quantize($0.baseAddress!, tokens: tokens, columns: columns, for: F.type)
                }
                try weightBytes.withUnsafeBytes { raw in
                    let weights = try WeightMatrix(data: raw.baseAddress!, type: F.type, rows: rows, columns: columns)
                    var expected = [UInt32](repeating: 0, count: tokens * rows)
                    for token in 0 ..< tokens {
                        for row in 0 ..< rows {
                            expected[token * rows + row] = reference(weights.row(row), activations.row(token), columns).bitPattern
                        }
                    }
                    for pool in pools {
                        for isa in InstructionSet.available {
                            try InstructionSet.select(isa)
                            var output = [Float](repeating: .nan, count: tokens * rows)
                            try output.withUnsafeMutableBufferPointer {
                                try MatMul.multiply(weights, activations, into: $0.baseAddress!, pool: pool)
                            }
                            let differing = (0 ..< tokens * rows).filter { output[$0].bitPattern != expected[$0] }
                            #expect(differing.isEmpty, """
                                \(isa): \(F.type) \(rows)×\(columns), \(tokens) tokens, \(pool.threadCount) threads: \
                                \(differing.count) results differ from the scalar reference, first at \
                                (token, row) \(differing.first.map { ($0 / rows, $0 % rows) }.map { "\($0)" } ?? "")
                                """)
                        }
                    }
                }
            }
        }
    }

    @Test func q4_0() throws {
        try check(Q4_0Format.self, columns: 7 * 32, rowCounts: [37, 150, 301], seed: 1, halfOffsets: [0]) {
            blocks32LaneOrder(.q4_0, $0, $1, count: $2)
        }
    }

    @Test func q4_1() throws {
        try check(Q4_1Format.self, columns: 5 * 32, rowCounts: [37, 150, 301], seed: 2, halfOffsets: [0, 2]) {
            blocks32LaneOrder(.q4_1, $0, $1, count: $2)
        }
    }

    @Test func q5_0() throws {
        try check(Q5_0Format.self, columns: 9 * 32, rowCounts: [37, 150, 301], seed: 3, halfOffsets: [0]) {
            blocks32LaneOrder(.q5_0, $0, $1, count: $2)
        }
    }

    /// Any quant byte, −128 included (no quantizer writes it, a file may hold it).
    @Test func q8_0() throws {
        try check(Q8_0Format.self, columns: 3 * 32, rowCounts: [37, 150, 301], seed: 4, halfOffsets: [0]) {
            blocks32LaneOrder(.q8_0, $0, $1, count: $2)
        }
    }

    @Test func q4_K() throws {
        try check(Q4_KFormat.self, columns: 3 * 256, rowCounts: [37, 150, 301], seed: 5, halfOffsets: [0, 2]) {
            Q4_KFormat.dotReference($0, $1, count: $2)
        }
    }

    @Test func q6_K() throws {
        try check(Q6_KFormat.self, columns: 2 * 256, rowCounts: [37, 150, 301], seed: 6, halfOffsets: [208]) {
            Q6_KFormat.dotReference($0, $1, count: $2)
        }
    }

    /// Rows long enough that the K-quant kernels pass the tokens over their groups in
    /// several spans, and the 32-value-block tables span many blocks.
    @Test func longRows() throws {
        let rows = [150], tokens = [5, 37, 40]
        try check(Q4_KFormat.self, columns: 40 * 256, rowCounts: rows, tokenCounts: tokens, seed: 7, halfOffsets: [0, 2]) {
            Q4_KFormat.dotReference($0, $1, count: $2)
        }
        try check(Q6_KFormat.self, columns: 40 * 256, rowCounts: rows, tokenCounts: tokens, seed: 8, halfOffsets: [208]) {
            Q6_KFormat.dotReference($0, $1, count: $2)
        }
        try check(Q5_0Format.self, columns: 131 * 32, rowCounts: rows, tokenCounts: tokens, seed: 9, halfOffsets: [0]) {
            blocks32LaneOrder(.q5_0, $0, $1, count: $2)
        }
        try check(Q4_1Format.self, columns: 127 * 32, rowCounts: rows, tokenCounts: tokens, seed: 10, halfOffsets: [0, 2]) {
            blocks32LaneOrder(.q4_1, $0, $1, count: $2)
        }
    }

    /// The reference itself agrees with the formats' single dot (so it spells out their order).
    @Test func laneOrderIsTheSingleDotsOrder() {
        var rng = SeededGenerator(seed: 11)
        func compare<F: QuantFormat>(_ format: F.Type, halfOffsets: [Int]) {
            let blocks = 13, count = 13 * 32
            let weights = randomWeightRow(F.type, blocks: blocks, halfOffsets: halfOffsets, &rng)
            let activations = activationRow(for: F.type, randomFloats(count, &rng))
            let (fast, _) = dots(F.self, weights, activations, count: count)
            let lanes = weights.withUnsafeBytes { w in
                activations.withUnsafeBytes { a in blocks32LaneOrder(F.type, w.baseAddress!, a.baseAddress!, count: count) }
            }
            #expect(fast.bitPattern == lanes.bitPattern, "\(F.type): dot \(fast), lane order \(lanes)")
        }
        for _ in 0 ..< 20 {
            compare(Q4_0Format.self, halfOffsets: [0])
            compare(Q4_1Format.self, halfOffsets: [0, 2])
            compare(Q5_0Format.self, halfOffsets: [0])
            compare(Q8_0Format.self, halfOffsets: [0])
        }
    }
}

/// The one float order of the 32-value-block formats in scalar code: per block, lane i
/// (i = 0…7) holds the exact integer sum of the products of values 4i…4i + 3, added into the
/// lane's float accumulator with one FMA by `d_w·d_a`; the lanes are added as (i + 4i), then
/// pairs (j, j + 2), then the last two; Q4_1 adds its running sum of `m_w·s_a` (multiply,
/// then add, block by block) at the end.
func blocks32LaneOrder(_ type: GGMLType, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
    func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }
    let blockBytes = type.traits.bytesPerBlock
    let activationBlockBytes = type == .q4_1 ? 36 : 34
    let activationQuants = type == .q4_1 ? 4 : 2
    var lanes = [Float](repeating: 0, count: 8)
    var minimumTerms: Float = 0
    for block in 0 ..< count / 32 {
        let x = weights + block * blockBytes
        let y = activations + block * activationBlockBytes
        func value(_ j: Int) -> Int32 {
            switch type {
            case .q4_0, .q4_1:
                let byte = x.load(fromByteOffset: (type == .q4_0 ? 2 : 4) + j % 16, as: UInt8.self)
                let nibble = Int32(j < 16 ? byte & 0x0F : byte >> 4)
                return type == .q4_0 ? nibble - 8 : nibble
            case .q5_0:
                let byte = x.load(fromByteOffset: 6 + j % 16, as: UInt8.self)
                let fifth = Int32((x.loadUnaligned(fromByteOffset: 2, as: UInt32.self) >> UInt32(j)) & 1)
                return (Int32(j < 16 ? byte & 0x0F : byte >> 4) | fifth << 4) - 16
            default:
                return Int32(x.load(fromByteOffset: 2 + j, as: Int8.self))
            }
        }
        let scale = half(x, 0) * half(y, 0)
        for lane in 0 ..< 8 {
            var sum: Int32 = 0
            for j in 4 * lane ..< 4 * lane + 4 {
                sum += value(j) * Int32(y.load(fromByteOffset: activationQuants + j, as: Int8.self))
            }
            lanes[lane] = lanes[lane].addingProduct(scale, Float(sum))
        }
        if type == .q4_1 { minimumTerms += half(x, 2) * half(y, 2) }
    }
    let halves = (0 ..< 4).map { lanes[$0] + lanes[$0 + 4] }
    let pairs = (halves[0] + halves[2], halves[1] + halves[3])
    let sum = pairs.0 + pairs.1
    return type == .q4_1 ? sum + minimumTerms : sum
}
