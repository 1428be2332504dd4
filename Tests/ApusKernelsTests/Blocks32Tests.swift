import ApusCore
import ApusKernels
import Testing

/// A small deterministic generator so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random floats roughly like activations: mostly small, a few outliers.
func randomFloats(_ count: Int, _ rng: inout SeededGenerator, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in
        let outlier = Int.random(in: 0..<50, using: &rng) == 0
        return Float.random(in: -1...1, using: &rng) * scale * (outlier ? 8 : 1)
    }
}

/// Bytes of `rows` rows of `count` values quantized to `format`'s activation partner or itself.
func quantized<F: QuantizableFormat>(_ format: F.Type, _ values: [Float]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: F.type.traits.rowBytes(values.count)!)
    values.withUnsafeBufferPointer { source in
        bytes.withUnsafeMutableBytes { F.quantize(source.baseAddress!, $0.baseAddress!, count: values.count) }
    }
    return bytes
}

func quantizedReference<F: QuantizableFormat>(_ format: F.Type, _ values: [Float]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: F.type.traits.rowBytes(values.count)!)
    values.withUnsafeBufferPointer { source in
        bytes.withUnsafeMutableBytes { F.quantizeReference(source.baseAddress!, $0.baseAddress!, count: values.count) }
    }
    return bytes
}

func dequantized<F: QuantFormat>(_ format: F.Type, _ bytes: [UInt8], count: Int) -> [Float] {
    var values = [Float](repeating: 0, count: count)
    bytes.withUnsafeBytes { raw in
        values.withUnsafeMutableBufferPointer { F.dequantizeReference(raw.baseAddress!, $0.baseAddress!, count: count) }
    }
    return values
}

/// Random weight blocks: random quant bytes, then every half field (scales, minimums)
/// overwritten with a finite half so the row decodes to sensible numbers.
func randomWeightRow(_ type: GGMLType, blocks: Int, halfOffsets: [Int], _ rng: inout SeededGenerator) -> [UInt8] {
    let blockBytes = type.traits.bytesPerBlock
    var bytes = (0..<(blocks * blockBytes)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    for block in 0..<blocks {
        for offset in halfOffsets {
            let bits = Float16(Float.random(in: -0.05...0.05, using: &rng)).bitPattern
            bytes[block * blockBytes + offset] = UInt8(bits & 0xFF)
            bytes[block * blockBytes + offset + 1] = UInt8(bits >> 8)
        }
    }
    return bytes
}

/// Quantized activations for a weight type's partner format.
func activationRow(for type: GGMLType, _ values: [Float]) -> [UInt8] {
    switch type.traits.dotActivationType {
    case .q8_1: return quantized(Q8_1Format.self, values)
    default: return quantized(Q8_0Format.self, values)
    }
}

func dots<F: QuantFormat>(_ format: F.Type, _ weights: [UInt8], _ activations: [UInt8], count: Int) -> (fast: Float, reference: Float) {
    weights.withUnsafeBytes { w in
        activations.withUnsafeBytes { a in
            (F.dot(w.baseAddress!, a.baseAddress!, count: count),
             F.dotReference(w.baseAddress!, a.baseAddress!, count: count))
        }
    }
}

let blockCounts = [1, 2, 3, 7, 33, 48]

@Suite("Blocks32 dot products")
struct Blocks32DotTests {
    func check<F: QuantFormat>(_ format: F.Type, halfOffsets: [Int], seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for blocks in blockCounts {
            let count = blocks * 32
            let weights = randomWeightRow(F.type, blocks: blocks, halfOffsets: halfOffsets, &rng)
            let values = randomFloats(count, &rng)
            let activations = activationRow(for: F.type, values)
            let (fast, reference) = dots(F.self, weights, activations, count: count)
            // The fast path sums blocks in a different order; the scale of the terms bounds the difference.
            let w = dequantized(F.self, weights, count: count)
            let magnitude = zip(w, values).reduce(Float(0)) { $0 + abs($1.0 * $1.1) }
            #expect(abs(fast - reference) <= 1e-5 * magnitude + 1e-6, "\(F.type) blocks \(blocks): fast \(fast) reference \(reference)")
            // The reference must agree with decoding both rows and multiplying in Float.
            let decodedActivations = F.type.traits.dotActivationType == .q8_1
                ? dequantized(Q8_1Format.self, activations, count: count)
                : dequantized(Q8_0Format.self, activations, count: count)
            let direct = zip(w, decodedActivations).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            // Q8_1's s is rounded to half precision, which moves the m·s term by up to 2^-11 relative.
            #expect(abs(direct - reference) <= 2e-3 * magnitude + 1e-5, "\(F.type) blocks \(blocks): decoded \(direct) reference \(reference)")
        }
    }

    @Test func q4_0() { check(Q4_0Format.self, halfOffsets: [0], seed: 1) }
    @Test func q4_1() { check(Q4_1Format.self, halfOffsets: [0, 2], seed: 2) }
    @Test func q5_0() { check(Q5_0Format.self, halfOffsets: [0], seed: 3) }
    @Test func q5_1() { check(Q5_1Format.self, halfOffsets: [0, 2], seed: 4) }
    @Test func q8_0() { check(Q8_0Format.self, halfOffsets: [0], seed: 5) }
    @Test func q8_1() { check(Q8_1Format.self, halfOffsets: [0, 2], seed: 6) }

    @Test func weightsWithMinus128AreHandled() {
        // Q8_0 weights may hold -128 (files are written by other tools); only activations are limited to ±127.
        var rng = SeededGenerator(seed: 7)
        var weights = randomWeightRow(.q8_0, blocks: 3, halfOffsets: [0], &rng)
        for j in 2..<34 { weights[j] = 0x80 }
        let activations = quantized(Q8_0Format.self, randomFloats(96, &rng))
        let (fast, reference) = dots(Q8_0Format.self, weights, activations, count: 96)
        #expect(abs(fast - reference) <= 1e-4 * max(1, abs(reference)))
    }
}
