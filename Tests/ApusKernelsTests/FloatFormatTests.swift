import ApusCore
import ApusKernels
import Testing

@Suite("Float formats")
struct FloatFormatTests {
    func check<F: QuantFormat>(_ format: F.Type, encode: (Float) -> [UInt8]) {
        var rng = SeededGenerator(seed: 31)
        for count in [1, 7, 8, 31, 33, 100, 1000, 1537] {
            let weightValues = randomFloats(count, &rng)
            let weights = weightValues.flatMap(encode)
            let activations = randomFloats(count, &rng)
            let activationBytes = activations.withUnsafeBytes { Array($0) }
            let (fast, reference) = dots(F.self, weights, activationBytes, count: count)
            let decoded = dequantized(F.self, weights, count: count)
            let magnitude = zip(decoded, activations).reduce(Float(0)) { $0 + abs($1.0 * $1.1) }
            #expect(abs(fast - reference) <= 1e-5 * magnitude + 1e-6, "\(F.type) count \(count)")
            let exact = zip(decoded, activations).reduce(Double(0)) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(Double(reference) - exact) <= 1e-6 * Double(magnitude) + 1e-6)
        }
    }

    @Test func f32() {
        check(F32Format.self) { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    @Test func f16() {
        check(F16Format.self) { value in withUnsafeBytes(of: Float16(value).bitPattern.littleEndian) { Array($0) } }
    }

    @Test func bf16() {
        check(BF16Format.self) { value in
            withUnsafeBytes(of: UInt16(value.bitPattern >> 16).littleEndian) { Array($0) }
        }
    }

    @Test func decodesExactValues() {
        let half: [UInt8] = withUnsafeBytes(of: Float16(-2.5).bitPattern.littleEndian) { Array($0) }
        #expect(dequantized(F16Format.self, half, count: 1) == [-2.5])
        // 0x3FC0 is bfloat16 for 1.5.
        #expect(dequantized(BF16Format.self, [0xC0, 0x3F], count: 1) == [1.5])
    }
}
