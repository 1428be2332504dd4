import ApusCore
import ApusKernels
import Foundation
import Testing

/// Fast K-quant kernels against their scalar references on random valid blocks, and the
/// references against a plain float dot product of the dequantized rows.
@Suite struct KQuantDotTests {
    static let blockCounts = [1, 2, 3, 7]

    @Test(arguments: blockCounts)
    func q8KQuantizeMatchesReference(blocks: Int) {
        var random = KQuantRandom(seed: UInt64(blocks))
        var values = (0 ..< blocks * 256).map { _ in Float(random.gaussian()) * 3 }
        // Exercise the special cases: an all-zero block, a block whose largest magnitude is
        // positive, and one with a tie between +m and −m (the first one sets the sign).
        if blocks >= 2 { for i in 256 ..< 512 { values[i] = 0 } }
        values[5] = 40
        values[blocks * 256 - 1] = -40
        if blocks >= 3 { values[512 + 3] = 25; values[512 + 9] = -25 }
        let bytes = blocks * GGMLType.q8_K.traits.bytesPerBlock
        var reference = [UInt8](repeating: 0xAA, count: bytes)
        var fast = [UInt8](repeating: 0x55, count: bytes)
        values.withUnsafeBufferPointer { source in
            reference.withUnsafeMutableBytes { Q8_KFormat.quantizeReference(source.baseAddress!, $0.baseAddress!, count: values.count) }
            fast.withUnsafeMutableBytes { Q8_KFormat.quantize(source.baseAddress!, $0.baseAddress!, count: values.count) }
        }
        #expect(reference == fast)
        // The quantizer's own promises: extreme value is −127, bsums are the group sums.
        #expect(Int8(bitPattern: reference[4 + 5]) == -127)
        for block in 0 ..< blocks {
            let base = block * 292
            for group in 0 ..< 16 {
                var sum = 0
                for i in 0 ..< 16 { sum += Int(Int8(bitPattern: reference[base + 4 + 16 * group + i])) }
                let stored = Int(Int16(bitPattern: UInt16(reference[base + 260 + 2 * group]) | UInt16(reference[base + 261 + 2 * group]) << 8))
                #expect(sum == stored)
            }
        }
    }

    @Test(arguments: blockCounts)
    func q8KRoundTripIsWithinHalfAStep(blocks: Int) {
        var random = KQuantRandom(seed: 100 + UInt64(blocks))
        let values = (0 ..< blocks * 256).map { _ in Float(random.gaussian()) }
        let decoded = KQuantRows.decode(Q8_KFormat.self, KQuantRows.activations(values))
        for block in 0 ..< blocks {
            let slice = values[block * 256 ..< (block + 1) * 256]
            let step = slice.map(abs).max()! / 127
            for i in slice.indices { #expect(abs(decoded[i] - values[i]) <= step * 0.5001) }
        }
    }

    @Test(arguments: blockCounts)
    func q4KDot(blocks: Int) { KQuantRows.checkDot(Q4_KFormat.self, blocks: blocks, halves: [0, 2]) }

    @Test(arguments: blockCounts)
    func q6KDot(blocks: Int) { KQuantRows.checkDot(Q6_KFormat.self, blocks: blocks, halves: [208]) }

    /// Q4_K and Q6_K sum in one order (Q4_K folds each 64-value chunk, Q6_K each super-block):
    /// the fast dot and the four-row dot equal the scalar reference bit for bit (the integer
    /// parts are exact).
    @Test(arguments: blockCounts)
    func oneOrderDotsMatchTheirReferences(blocks: Int) {
        var random = KQuantRandom(seed: 900 + UInt64(blocks))
        let count = blocks * 256
        let activations = KQuantRows.activations((0 ..< count).map { _ in Float(random.gaussian()) })
        func check<F: QuantFormat>(_: F.Type, halves: [Int], seed: UInt64) {
            let rowBytes = blocks * F.type.traits.bytesPerBlock
            let rows = KQuantRows.randomWeights(F.self, blocks: 4 * blocks, halves: halves, seed: seed)
            activations.withUnsafeBytes { a in
                rows.withUnsafeBytes { w in
                    let (x, y) = (w.baseAddress!, a.baseAddress!)
                    let four = F.dotFourRows(x, rowBytes: rowBytes, y, count: count)
                    for r in 0 ..< 4 {
                        let reference = F.dotReference(x + r * rowBytes, y, count: count)
                        #expect(F.dot(x + r * rowBytes, y, count: count).bitPattern == reference.bitPattern, "\(F.type) row \(r)")
                        #expect(four[r].bitPattern == reference.bitPattern, "\(F.type) four-row lane \(r)")
                    }
                }
            }
        }
        check(Q4_KFormat.self, halves: [0, 2], seed: 40 + UInt64(blocks))
        check(Q6_KFormat.self, halves: [208], seed: 60 + UInt64(blocks))
    }

    /// Q4_K's order is llama.cpp's repacked four-token one (`ggml_gemm_q4_K_8x8_q8_K`), spelled
    /// out here from the dequantized integers: per super-block, per 64-value chunk in turn,
    /// `acc += I_j·(d·d_a)` and `accMin += M_j·(dmin·d_a)`. The integers come from
    /// `dequantizeReference` of the same block with (d, dmin) set to (1, 0) and (0, 1), which
    /// gives `scale·q` and `−min` exactly. On these rows the one-FMA-per-super-block order
    /// (llama.cpp's one-token kernel) rounds differently somewhere, so the check can tell them apart.
    @Test func q4KReferenceFoldsEachChunk() {
        let blocks = 7, count = blocks * 256, rows = 16
        var random = KQuantRandom(seed: 4242)
        let activationBytes = KQuantRows.activations((0 ..< count).map { _ in Float(random.gaussian()) })
        let q8 = (0 ..< count).map { i in Int64(Int8(bitPattern: activationBytes[i / 256 * 292 + 4 + i % 256])) }
        let weights = KQuantRows.randomWeights(Q4_KFormat.self, blocks: rows * blocks, halves: [0, 2], seed: 4343)
        var differsFromOneFold = false
        for row in 0 ..< rows {
            let rowBytes = Array(weights[(row * blocks * 144) ..< ((row + 1) * blocks * 144)])
            func withHalves(_ d: UInt16, _ dmin: UInt16) -> [Float] {
                var bytes = rowBytes
                for block in 0 ..< blocks {
                    bytes[144 * block] = UInt8(d & 0xFF); bytes[144 * block + 1] = UInt8(d >> 8)
                    bytes[144 * block + 2] = UInt8(dmin & 0xFF); bytes[144 * block + 3] = UInt8(dmin >> 8)
                }
                return KQuantRows.decode(Q4_KFormat.self, bytes)
            }
            let scaled = withHalves(0x3C00, 0), negatedMins = withHalves(0, 0x3C00)
            var acc: Float = 0, accMin: Float = 0, oneFold: Float = 0, oneFoldMin: Float = 0
            for block in 0 ..< blocks {
                let activationScale = activationBytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 292 * block, as: Float.self) }
                func half(_ offset: Int) -> Float {
                    Float(Float16(bitPattern: UInt16(rowBytes[144 * block + offset]) | UInt16(rowBytes[144 * block + offset + 1]) << 8))
                }
                let d = half(0) * activationScale, dmin = half(2) * activationScale
                var blockI: Int64 = 0, blockM: Int64 = 0
                for chunk in 0 ..< 4 {
                    var integer: Int64 = 0, minimum: Int64 = 0
                    for i in (256 * block + 64 * chunk) ..< (256 * block + 64 * chunk + 64) {
                        integer += Int64(scaled[i]) * q8[i]
                        minimum -= Int64(negatedMins[i]) * q8[i]
                    }
                    acc = acc.addingProduct(Float(integer), d)
                    accMin = accMin.addingProduct(Float(minimum), dmin)
                    blockI += integer; blockM += minimum
                }
                oneFold = oneFold.addingProduct(Float(blockI), d)
                oneFoldMin = oneFoldMin.addingProduct(Float(blockM), dmin)
            }
            let reference = rowBytes.withUnsafeBytes { w in
                activationBytes.withUnsafeBytes { Q4_KFormat.dotReference(w.baseAddress!, $0.baseAddress!, count: count) }
            }
            #expect(reference.bitPattern == (acc - accMin).bitPattern, "row \(row): \(reference) vs four-token order \(acc - accMin)")
            if (oneFold - oneFoldMin).bitPattern != reference.bitPattern { differsFromOneFold = true }
        }
        #expect(differsFromOneFold, "no row tells the four-token order from the one-token order")
    }

    @Test(arguments: blockCounts)
    func q5KDot(blocks: Int) { KQuantRows.checkDot(Q5_KFormat.self, blocks: blocks, halves: [0, 2]) }

    @Test(arguments: blockCounts)
    func q3KDot(blocks: Int) { KQuantRows.checkDot(Q3_KFormat.self, blocks: blocks, halves: [108]) }

    @Test(arguments: blockCounts)
    func q2KDot(blocks: Int) { KQuantRows.checkDot(Q2_KFormat.self, blocks: blocks, halves: [80, 82]) }

    @Test(arguments: blockCounts)
    func q8KDot(blocks: Int) {
        var random = KQuantRandom(seed: 7 * UInt64(blocks))
        let weights = KQuantRows.activations((0 ..< blocks * 256).map { _ in Float(random.gaussian()) })
        KQuantRows.compareDots(Q8_KFormat.self, weights: weights, blocks: blocks, seed: UInt64(blocks))
    }
}

/// Random rows and the comparisons the K-quant tests share.
enum KQuantRows {
    /// A row of `blocks` random blocks of format `F`: random bytes, with the f16 fields at
    /// `halves` replaced by finite scales in ±2⁻⁶ (typical of real models).
    static func randomWeights<F: QuantFormat>(_: F.Type, blocks: Int, halves: [Int], seed: UInt64) -> [UInt8] {
        var random = KQuantRandom(seed: seed)
        let size = F.type.traits.bytesPerBlock
        var bytes = (0 ..< blocks * size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for block in 0 ..< blocks {
            for offset in halves {
                let scale = Float16(Float(random.uniform() * 2 - 1) / 64).bitPattern
                bytes[block * size + offset] = UInt8(truncatingIfNeeded: scale)
                bytes[block * size + offset + 1] = UInt8(truncatingIfNeeded: scale >> 8)
            }
        }
        return bytes
    }

    /// `values` encoded as Q8_K activations (valid quants and bsums).
    static func activations(_ values: [Float]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count / 256 * 292)
        values.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBytes { Q8_KFormat.quantizeReference(source.baseAddress!, $0.baseAddress!, count: values.count) }
        }
        return bytes
    }

    /// `bytes` decoded by `F.dequantizeReference`.
    static func decode<F: QuantFormat>(_: F.Type, _ bytes: [UInt8]) -> [Float] {
        let count = bytes.count / F.type.traits.bytesPerBlock * F.type.traits.blockSize
        var out = [Float](repeating: .nan, count: count)
        bytes.withUnsafeBytes { source in
            out.withUnsafeMutableBufferPointer { F.dequantizeReference(source.baseAddress!, $0.baseAddress!, count: count) }
        }
        return out
    }

    /// Random weights of `F` against random activations: see `compareDots`.
    static func checkDot<F: QuantFormat>(_ format: F.Type, blocks: Int, halves: [Int]) {
        let weights = randomWeights(format, blocks: blocks, halves: halves, seed: 1000 + UInt64(blocks))
        compareDots(format, weights: weights, blocks: blocks, seed: UInt64(blocks))
    }

    /// Checks `dot` against `dotReference` (float-rounding tolerance) and `dotReference`
    /// against a double-precision dot of the dequantized weights and activations.
    static func compareDots<F: QuantFormat>(_: F.Type, weights: [UInt8], blocks: Int, seed: UInt64) {
        var random = KQuantRandom(seed: 500 + seed)
        let count = blocks * 256
        let activationBytes = activations((0 ..< count).map { _ in Float(random.gaussian()) })
        let (reference, fast) = weights.withUnsafeBytes { w in
            activationBytes.withUnsafeBytes { a in
                (F.dotReference(w.baseAddress!, a.baseAddress!, count: count),
                 F.dot(w.baseAddress!, a.baseAddress!, count: count))
            }
        }
        let decodedWeights = decode(F.self, weights)
        let decodedActivations = decode(Q8_KFormat.self, activationBytes)
        var exact = 0.0, magnitude = 0.0
        for i in 0 ..< count {
            let term = Double(decodedWeights[i]) * Double(decodedActivations[i])
            exact += term
            magnitude += abs(term)
        }
        #expect(reference.isFinite && fast.isFinite)
        #expect(abs(Double(fast) - Double(reference)) <= 1e-5 * magnitude, "fast \(fast) vs reference \(reference)")
        #expect(abs(Double(reference) - exact) <= 1e-4 * magnitude, "reference \(reference) vs float dot \(exact)")
    }
}

/// A small seeded generator so every run draws the same data.
struct KQuantRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Standard normal (Box–Muller).
    mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
