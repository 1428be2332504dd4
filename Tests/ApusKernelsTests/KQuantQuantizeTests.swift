import ApusCore
import ApusKernels
import Foundation
import Testing

/// The K-quant encoders against llama.cpp's own (`quantize_row_q8_K_ref`,
/// `quantize_row_q4_K_ref`), byte for byte, on the inputs of
/// Fixtures/quantize/*.bin (written by scripts/make-dequant-fixtures.py).
@Suite struct KQuantQuantizeTests {
    @Test func q8KMatchesLlamaCpp() throws {
        let fixture = try QuantizeFixture(name: "Q8_K")
        #expect(fixture.type == .q8_K)
        #expect(fixture.encode(Q8_KFormat.quantizeReference) == fixture.expected)
        #expect(fixture.encode(Q8_KFormat.quantize) == fixture.expected)
    }

    @Test func q4KMatchesLlamaCpp() throws {
        let fixture = try QuantizeFixture(name: "Q4_K")
        #expect(fixture.type == .q4_K)
        let ours = fixture.encode(Q4_KFormat.quantizeReference)
        let differing = zip(ours, fixture.expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(ours.count) bytes differ from llama.cpp's")
        #expect(fixture.encode(Q4_KFormat.quantize) == ours)
    }

    /// Q4_K round trip on Gaussian rows: the error stays within what 4 bits allow.
    @Test(arguments: [1, 3])
    func q4KRoundTrip(blocks: Int) {
        var random = KQuantRandom(seed: 42 + UInt64(blocks))
        let values = (0 ..< blocks * 256).map { _ in Float(random.gaussian()) * 0.05 }
        var bytes = [UInt8](repeating: 0, count: blocks * 144)
        values.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBytes { Q4_KFormat.quantize(source.baseAddress!, $0.baseAddress!, count: values.count) }
        }
        let decoded = KQuantRows.decode(Q4_KFormat.self, bytes)
        var squaredError: Float = 0, squaredValue: Float = 0
        for (value, approximation) in zip(values, decoded) {
            squaredError += (value - approximation) * (value - approximation)
            squaredValue += value * value
        }
        // 16 levels over a sub-block's range give a relative RMS error near 0.1.
        #expect((squaredError / squaredValue).squareRoot() < 0.15)
    }
}

/// One quantizer fixture: inputs and the bytes ggml wrote (format in the script).
struct QuantizeFixture {
    let type: GGMLType
    let inputs: [Float]
    let expected: [UInt8]

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/quantize/\(name).bin")
        let data = try [UInt8](Data(contentsOf: url))
        func word(_ offset: Int) -> Int {
            Int(data[offset]) | Int(data[offset + 1]) << 8 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 24
        }
        guard data.count >= 20, data[0 ..< 4] == [0x41, 0x50, 0x51, 0x5A], word(4) == 1,
              let type = GGMLType(rawValue: UInt32(word(8))) else {
            throw Malformed(description: "\(url.path) is not a version-1 APQZ fixture; rerun scripts/make-dequant-fixtures.py")
        }
        let count = word(12), byteCount = word(16)
        guard data.count == 20 + 4 * count + byteCount, type.traits.rowBytes(count) == byteCount else {
            throw Malformed(description: "\(url.path): header does not match its size; rerun scripts/make-dequant-fixtures.py")
        }
        self.type = type
        inputs = (0 ..< count).map { Float(bitPattern: UInt32(truncatingIfNeeded: word(20 + 4 * $0))) }
        expected = Array(data[(20 + 4 * count)...])
    }

    /// The bytes `encoder` writes for the inputs (buffer pre-filled with a marker byte).
    func encode(_ encoder: (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void) -> [UInt8] {
        var out = [UInt8](repeating: 0xA5, count: expected.count)
        inputs.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBytes { encoder(source.baseAddress!, $0.baseAddress!, inputs.count) }
        }
        return out
    }
}
