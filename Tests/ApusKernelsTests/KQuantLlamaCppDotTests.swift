import ApusCore
import ApusKernels
import Foundation
import Testing

/// The K-quant dot products against llama.cpp's own kernels on the same bytes
/// (Fixtures/dot/*.bin, written by scripts/make-dequant-fixtures.py): `dot` against its
/// AVX2 `ggml_vec_dot_*_q8_K` bit for bit (same integer lanes, same FMA and horizontal-sum
/// order), `dotReference` against `ggml_vec_dot_*_q8_K_generic` within 1e-6 of Σ|w·a|:
/// the generic C was compiled by GCC, which fuses its `sums += d * aux32` into FMAs,
/// while our reference rounds the product and the sum separately as the source reads.
@Suite struct KQuantLlamaCppDotTests {
    static let fixtures = ["Q2_K-random", "Q3_K-random", "Q4_K-random", "Q5_K-random", "Q6_K-random",
                           "Q4_K-qwen", "Q6_K-qwen"]

    @Test(arguments: fixtures)
    func matchesLlamaCpp(name: String) throws {
        let fixture = try DotFixture(name: name)
        for (index, blocks) in fixture.lengths.enumerated() {
            let (fast, reference) = try #require(fixture.run(blocks: blocks), "no kernel for \(fixture.type)")
            let (x86, generic) = fixture.results[index]
            let magnitude = fixture.magnitude(blocks: blocks)
            if fixture.type == .q4_K || fixture.type == .q6_K {
                // Q4_K and Q6_K sum in Apus's one order (Q4_K each 64-value chunk folded once, as
                // llama.cpp's repacked four-token kernel does; Q6_K each super-block, as its tiled
                // kernel does), not `ggml_vec_dot_*_q8_K`'s: the same integers in another float order.
                #expect(fast.bitPattern == reference.bitPattern, "\(name), \(blocks) blocks: \(fast) vs reference \(reference)")
                #expect(abs(fast - x86) <= 1e-6 * magnitude, "\(name), \(blocks) blocks: \(fast) vs llama.cpp \(x86)")
                #expect(abs(reference - generic) <= 1e-6 * magnitude,
                        "\(name), \(blocks) blocks: reference \(reference) vs llama.cpp generic \(generic)")
                continue
            }
            #if arch(x86_64)
            #expect(fast.bitPattern == x86.bitPattern, "\(name), \(blocks) blocks: \(fast) vs llama.cpp \(x86)")
            #else
            #expect(abs(fast - x86) <= 1e-6 * magnitude, "\(name), \(blocks) blocks: \(fast) vs llama.cpp \(x86)")
            #endif
            #expect(abs(reference - generic) <= 1e-6 * magnitude,
                    "\(name), \(blocks) blocks: reference \(reference) vs llama.cpp generic \(generic)")
        }
    }
}

/// One dot fixture: weights, Q8_K activations and llama.cpp's results (format in the script).
struct DotFixture {
    let type: GGMLType
    let lengths: [Int]
    let results: [(x86: Float, generic: Float)]
    let weights: [UInt8]
    let activations: [UInt8]

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dot/\(name).bin")
        let data = try [UInt8](Data(contentsOf: url))
        func word(_ offset: Int) -> UInt32 {
            UInt32(data[offset]) | UInt32(data[offset + 1]) << 8 | UInt32(data[offset + 2]) << 16 | UInt32(data[offset + 3]) << 24
        }
        guard data.count >= 20, data[0 ..< 4] == [0x41, 0x50, 0x44, 0x54], word(4) == 1,
              let type = GGMLType(rawValue: word(8)) else {
            throw Malformed(description: "\(url.path) is not a version-1 APDT fixture; rerun scripts/make-dequant-fixtures.py")
        }
        let blocks = Int(word(12)), count = Int(word(16))
        let weightBytes = blocks * type.traits.bytesPerBlock, activationBytes = blocks * 292
        let start = 20 + 12 * count
        guard data.count == start + weightBytes + activationBytes else {
            throw Malformed(description: "\(url.path): header does not match its size; rerun scripts/make-dequant-fixtures.py")
        }
        self.type = type
        lengths = (0 ..< count).map { Int(word(20 + 4 * $0)) }
        results = (0 ..< count).map {
            (Float(bitPattern: word(20 + 4 * count + 8 * $0)), Float(bitPattern: word(24 + 4 * count + 8 * $0)))
        }
        weights = Array(data[start ..< start + weightBytes])
        activations = Array(data[(start + weightBytes)...])
    }

    /// (`dot`, `dotReference`) over the first `blocks` blocks, or nil for a type without kernels.
    func run(blocks: Int) -> (Float, Float)? {
        switch type {
        case .q2_K: return run(Q2_KFormat.self, blocks)
        case .q3_K: return run(Q3_KFormat.self, blocks)
        case .q4_K: return run(Q4_KFormat.self, blocks)
        case .q5_K: return run(Q5_KFormat.self, blocks)
        case .q6_K: return run(Q6_KFormat.self, blocks)
        default: return nil
        }
    }

    /// Σ |w·a| over the first `blocks` blocks, from the dequantized rows: the scale that
    /// float rounding differences are measured against.
    func magnitude(blocks: Int) -> Float {
        let count = 256 * blocks
        guard let w = DequantFixtureTests.dequantize(type, weights, count: count),
              let a = DequantFixtureTests.dequantize(.q8_K, activations, count: count) else { return .nan }
        return zip(w, a).reduce(0) { $0 + abs($1.0 * $1.1) }
    }

    private func run<F: QuantFormat>(_: F.Type, _ blocks: Int) -> (Float, Float) {
        weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { a in
                (F.dot(w.baseAddress!, a.baseAddress!, count: 256 * blocks),
                 F.dotReference(w.baseAddress!, a.baseAddress!, count: 256 * blocks))
            }
        }
    }
}
