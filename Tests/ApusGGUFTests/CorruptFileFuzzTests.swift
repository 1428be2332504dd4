import ApusCore
import ApusGGUF
import ApusTestSupport
import Testing

/// A corrupt or truncated real model must give either a valid parse or an error:
/// never a crash and never a view outside the file.
@Suite struct CorruptFileFuzzTests {
    /// Deterministic generator so a failure can be reproduced.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Parses and, on success, checks every tensor lies inside the buffer.
    static func parseOrError(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let header = try? GGUFHeader.parse(bytes) else { return false }
        for tensor in header.tensors {
            let end = header.dataOffset + tensor.offset + tensor.byteCount
            #expect(end <= bytes.count, "tensor \(tensor.name) ends at \(end) past \(bytes.count)")
        }
        return true
    }

    @Test func truncatedAtManyOffsets() throws {
        guard let path = try TestModels.path("smollm2-135m") else { return }
        let file = try GGUFFile(path: path)
        var rng = SplitMix64(state: 42)
        let headerEnd = file.header.dataOffset
        // Dense near the start (magic, counts, first keys), random through the metadata
        // and tensor infos, and some cuts inside the tensor data.
        var cuts = Array(0..<64)
        cuts += (0..<150).map { _ in Int.random(in: 0..<headerEnd, using: &rng) }
        cuts += (0..<30).map { _ in Int.random(in: headerEnd..<file.byteCount, using: &rng) }
        var parsed = 0
        file.withUnsafeBytes { whole in
            for cut in cuts {
                if Self.parseOrError(UnsafeRawBufferPointer(rebasing: whole[0..<cut])) { parsed += 1 }
            }
        }
        // A cut can only parse if no tensor needs bytes past it: none can with 272 tensors.
        #expect(parsed == 0)
        file.withUnsafeBytes { #expect(Self.parseOrError($0)) }
    }

    @Test func randomByteFlipsInHeader() throws {
        guard let path = try TestModels.path("smollm2-135m") else { return }
        let file = try GGUFFile(path: path)
        var bytes = file.withUnsafeBytes { Array($0) }
        let headerEnd = file.header.dataOffset
        var rng = SplitMix64(state: 7)
        var outcomes = (valid: 0, errors: 0)
        for _ in 0..<300 {
            // Flip 1–4 bytes; half the trials aim at the first 4 KiB where counts and types live.
            let flips = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                Bool.random(using: &rng) ? Int.random(in: 0..<4096, using: &rng) : Int.random(in: 0..<headerEnd, using: &rng)
            }
            let saved = flips.map { bytes[$0] }
            for at in flips { bytes[at] ^= UInt8.random(in: 1...255, using: &rng) }
            let ok = bytes.withUnsafeBytes { Self.parseOrError($0) }
            if ok { outcomes.valid += 1 } else { outcomes.errors += 1 }
            for (at, value) in zip(flips, saved).reversed() { bytes[at] = value }
        }
        #expect(outcomes.valid + outcomes.errors == 300)
        #expect(outcomes.errors > 0, "some flips must be detected")
        #expect(outcomes.valid > 0, "flips inside strings and values still parse")
    }
}
