import ApusCore
import ApusKernels
import Foundation
import Testing

/// Every format's `dequantizeReference` against the fixtures written by
/// scripts/make-dequant-fixtures.py (real blocks from the test models and random valid
/// blocks, decoded by gguf-py, or by ggml itself for Q8_K).
///
/// The match must be bit for bit: both sides evaluate the same float expression in the
/// same order (e.g. `(d · scale) · q − dmin · min`) without fused multiply-adds.
@Suite struct DequantFixtureTests {
    /// Fixture files by type; a missing file fails the test.
    static let fixtures: [String] = [
        "F32-random", "F32-smollm2", "F32-gemma3", "F32-qwen",
        "F16-random", "BF16-random",
        "Q4_0-random", "Q4_1-random", "Q4_1-smollm2",
        "Q5_0-random", "Q5_0-gemma3", "Q5_0-qwen", "Q5_1-random",
        "Q8_0-random", "Q8_0-smollm2", "Q8_0-gemma3", "Q8_0-qwen",
        "Q2_K-random", "Q3_K-random",
        "Q4_K-random", "Q4_K-gemma3", "Q4_K-qwen",
        "Q5_K-random",
        "Q6_K-random", "Q6_K-gemma3", "Q6_K-qwen",
        "Q8_K-random",
    ]

    @Test(arguments: fixtures)
    func dequantizeMatchesFixture(name: String) throws {
        let fixture = try DequantFixture(name: name)
        #expect(fixture.type.description == String(name.split(separator: "-")[0]))
        guard let decoded = Self.dequantize(fixture.type, fixture.blocks, count: fixture.expected.count) else {
            Issue.record("no dequantize kernel for \(fixture.type)")
            return
        }
        var mismatches = 0
        for (index, (ours, theirs)) in zip(decoded, fixture.expected).enumerated() where ours.bitPattern != theirs.bitPattern {
            if mismatches < 5 { Issue.record("\(name)[\(index)]: \(ours) != \(theirs)") }
            mismatches += 1
        }
        #expect(mismatches == 0, "\(mismatches) of \(decoded.count) values differ")
    }

    /// gguf-py cannot decode Q8_1 (ggml only writes it), so it is checked by hand:
    /// value = d · q with `f16 d` at 0, `f16 s` at 2 (unused here), `i8 qs[32]` at 4.
    @Test func q8_1HandWorked() {
        var block = [UInt8](repeating: 0, count: 72)
        // Block 0: d = 0.5 (0x3800), q = j − 16. Block 1: d = −1.5 (0xBE00), q = 127, −127, 0, 3, …
        block[0] = 0x00; block[1] = 0x38
        block[2] = 0x12; block[3] = 0x34
        for j in 0 ..< 32 { block[4 + j] = UInt8(bitPattern: Int8(j - 16)) }
        block[36] = 0x00; block[37] = 0xBE
        let second: [Int8] = [127, -127, 0, 3] + Array(repeating: 1, count: 28)
        for j in 0 ..< 32 { block[40 + j] = UInt8(bitPattern: second[j]) }
        let decoded = Self.dequantize(.q8_1, block, count: 64)!
        for j in 0 ..< 32 { #expect(decoded[j] == Float(j - 16) * 0.5) }
        #expect(Array(decoded[32 ..< 36]) == [-190.5, 190.5, -0.0, -4.5])
        #expect(decoded[35].sign == .minus && decoded[34].sign == .minus)
        #expect(decoded[36 ..< 64].allSatisfy { $0 == -1.5 })
    }

    /// `dequantizeReference` of the format for `type`, or nil where there is none.
    static func dequantize(_ type: GGMLType, _ blocks: [UInt8], count: Int) -> [Float]? {
        let decode: (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void
        switch type {
        case .f32: decode = { F32Format.dequantizeReference($0, $1, count: $2) }
        case .f16: decode = { F16Format.dequantizeReference($0, $1, count: $2) }
        case .bf16: decode = { BF16Format.dequantizeReference($0, $1, count: $2) }
        case .q4_0: decode = { Q4_0Format.dequantizeReference($0, $1, count: $2) }
        case .q4_1: decode = { Q4_1Format.dequantizeReference($0, $1, count: $2) }
        case .q5_0: decode = { Q5_0Format.dequantizeReference($0, $1, count: $2) }
        case .q5_1: decode = { Q5_1Format.dequantizeReference($0, $1, count: $2) }
        case .q8_0: decode = { Q8_0Format.dequantizeReference($0, $1, count: $2) }
        case .q8_1: decode = { Q8_1Format.dequantizeReference($0, $1, count: $2) }
        case .q2_K: decode = { Q2_KFormat.dequantizeReference($0, $1, count: $2) }
        case .q3_K: decode = { Q3_KFormat.dequantizeReference($0, $1, count: $2) }
        case .q4_K: decode = { Q4_KFormat.dequantizeReference($0, $1, count: $2) }
        case .q5_K: decode = { Q5_KFormat.dequantizeReference($0, $1, count: $2) }
        case .q6_K: decode = { Q6_KFormat.dequantizeReference($0, $1, count: $2) }
        case .q8_K: decode = { Q8_KFormat.dequantizeReference($0, $1, count: $2) }
        default: return nil
        }
        var out = [Float](repeating: .nan, count: count)
        blocks.withUnsafeBytes { source in
            out.withUnsafeMutableBufferPointer { decode(source.baseAddress!, $0.baseAddress!, count) }
        }
        return out
    }
}

/// One fixture file: header, blocks, expected floats (format in the script's docstring).
struct DequantFixture {
    let type: GGMLType
    let blocks: [UInt8]
    let expected: [Float]

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dequant/\(name).bin")
        let data = try [UInt8](Data(contentsOf: url))
        func word(_ offset: Int) -> Int {
            Int(data[offset]) | Int(data[offset + 1]) << 8 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 24
        }
        guard data.count >= 20, data[0 ..< 4] == [0x41, 0x50, 0x44, 0x51], word(4) == 1 else {
            throw Malformed(description: "\(url.path) is not a version-1 APDQ fixture; rerun scripts/make-dequant-fixtures.py")
        }
        let values = word(12), byteCount = word(16)
        guard let type = GGMLType(rawValue: UInt32(word(8))), data.count == 20 + byteCount + 4 * values,
              type.traits.rowBytes(values) == byteCount else {
            throw Malformed(description: "\(url.path): header does not match its size; rerun scripts/make-dequant-fixtures.py")
        }
        self.type = type
        blocks = Array(data[20 ..< 20 + byteCount])
        expected = (0 ..< values).map { Float(bitPattern: UInt32(truncatingIfNeeded: word(20 + byteCount + 4 * $0))) }
    }
}
