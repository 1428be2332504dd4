import ApusCore
import ApusKernels
import Testing

@Suite("Blocks32 quantizers")
struct Blocks32QuantizeTests {
    @Test(arguments: [1, 3, 7, 33, 100])
    func activationQuantizersMatchReferenceBytes(blocks: Int) {
        var rng = SeededGenerator(seed: UInt64(blocks))
        var values = randomFloats(blocks * 32, &rng, scale: 3)
        // An all-zero block and a block of exact ties exercise the edge cases.
        for j in 0..<32 { values[j] = 0 }
        if blocks > 1 { for j in 32..<64 { values[j] = Float(j - 48) + 0.5 } }
        #expect(quantized(Q8_0Format.self, values) == quantizedReference(Q8_0Format.self, values))
        #expect(quantized(Q8_1Format.self, values) == quantizedReference(Q8_1Format.self, values))
    }

    @Test func q8_0RoundsTiesToEvenLikeGGMLOnX86() {
        // amax = 127 gives id = 1, so x·id lands exactly on .5 values. ggml's AVX2 path rounds
        // ties to even (0.5 → 0, 1.5 → 2, 2.5 → 2); its portable roundf would give 1, 2, 3.
        var values = [Float](repeating: 0, count: 32)
        values[0] = 127; values[1] = 0.5; values[2] = 1.5; values[3] = 2.5; values[4] = -0.5; values[5] = -3.5
        let bytes = quantizedReference(Q8_0Format.self, values)
        #expect(Float16(bitPattern: UInt16(bytes[0]) | UInt16(bytes[1]) << 8) == 1)
        #expect(bytes[2...7].map { Int8(bitPattern: $0) } == [127, 0, 2, 2, 0, -4])
        #expect(quantized(Q8_0Format.self, values) == bytes)
    }

    @Test func q8_1SumMatchesQuants() {
        var rng = SeededGenerator(seed: 11)
        let values = randomFloats(7 * 32, &rng)
        let bytes = quantized(Q8_1Format.self, values)
        for block in 0..<7 {
            let base = block * 36
            let d = Float(Float16(bitPattern: UInt16(bytes[base]) | UInt16(bytes[base + 1]) << 8))
            let s = Float(Float16(bitPattern: UInt16(bytes[base + 2]) | UInt16(bytes[base + 3]) << 8))
            let sum = bytes[(base + 4)..<(base + 36)].reduce(0) { $0 + Int(Int8(bitPattern: $1)) }
            #expect(abs(s - d * Float(sum)) <= abs(d * Float(sum)) * 1e-3 + 1e-6)
        }
    }

    /// Round trip: each value comes back within half a quantization step (plus the half rounding of d).
    func roundTrip<F: QuantizableFormat>(_ format: F.Type, steps: Float, maximumStepFraction: Float) {
        var rng = SeededGenerator(seed: 21)
        for blocks in [1, 3, 7, 33] {
            let values = randomFloats(blocks * 32, &rng, scale: 2)
            let decoded = dequantized(F.self, quantized(F.self, values), count: values.count)
            for block in 0..<blocks {
                let slice = values[(block * 32)..<(block * 32 + 32)]
                let range = slice.max()! - slice.min()!
                let amax = slice.map(abs).max()!
                let step = (F.self == Q4_1Format.self ? range : 2 * amax) / steps
                for j in slice.indices {
                    #expect(abs(decoded[j] - values[j]) <= step * maximumStepFraction + 1e-6,
                            "\(F.type) value \(values[j]) decoded \(decoded[j])")
                }
            }
        }
    }

    // d is stored as a half (relative error ≤ 2^-11), which moves q·d by up to 127·2^-11 ≈ 0.062 step.
    @Test func q8_0RoundTrip() { roundTrip(Q8_0Format.self, steps: 254, maximumStepFraction: 0.563) }
    @Test func q8_1RoundTrip() { roundTrip(Q8_1Format.self, steps: 254, maximumStepFraction: 0.563) }
    // Q4_0 spans [−8, 7]·d with d = amax/8, so the step is 2·amax/16 and the largest magnitude side clips to 7.
    @Test func q4_0RoundTrip() { roundTrip(Q4_0Format.self, steps: 16, maximumStepFraction: 1.01) }
    @Test func q4_1RoundTrip() { roundTrip(Q4_1Format.self, steps: 15, maximumStepFraction: 0.51) }

    @Test func q4_0KnownBlock() {
        // max = −8 gives d = 1: x + 8.5 truncated, capped at 15.
        var values = [Float](repeating: 0, count: 32)
        values[0] = -8; values[1] = 3; values[16] = 7.9; values[17] = -2.4
        let bytes = quantizedReference(Q4_0Format.self, values)
        #expect(Float16(bitPattern: UInt16(bytes[0]) | UInt16(bytes[1]) << 8) == 1)
        #expect(bytes[2] == 0x0F << 4 | 0)   // element 0 → 0, element 16 → min(15, 16)
        #expect(bytes[3] == 6 << 4 | 11)     // element 1 → 11, element 17 → trunc(6.1) = 6
        #expect(bytes[4] == 8 << 4 | 8)      // zeros → 8
    }

    @Test func nonFiniteInputDoesNotTrap() {
        var values = [Float](repeating: 1, count: 64)
        values[3] = .nan; values[40] = .infinity
        _ = quantized(Q8_0Format.self, values)
        _ = quantizedReference(Q8_0Format.self, values)
        _ = quantized(Q8_1Format.self, values)
        _ = quantizedReference(Q4_0Format.self, values)
        _ = quantizedReference(Q4_1Format.self, values)
    }
}
