import ApusCore
import ApusGGUF
import Testing

/// Each corrupt variant must be rejected with the matching typed error.
@Suite struct GGUFValidationTests {
    func parse(_ bytes: [UInt8]) throws -> GGUFFile { try GGUFFile(bytes: bytes) }

    func header(tensors: UInt64 = 0, entries: UInt64 = 0, version: UInt32 = 3) -> [UInt8] {
        var out = Array("GGUF".utf8)
        withUnsafeBytes(of: version.littleEndian) { out += $0 }
        withUnsafeBytes(of: tensors.littleEndian) { out += $0 }
        withUnsafeBytes(of: entries.littleEndian) { out += $0 }
        return out
    }

    func string(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(s.count).littleEndian) { out += $0 }
        return out + s
    }

    func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    @Test func rejectsBadMagic() {
        #expect(throws: GGUFError.badMagic(found: Array("GGML".utf8))) {
            try parse(Array("GGML".utf8) + [3, 0, 0, 0])
        }
    }

    @Test func rejectsEmptyAndTinyFiles() {
        for n in 0..<24 {
            #expect(throws: GGUFError.self) { try parse(Array(header().prefix(n))) }
        }
    }

    @Test func rejectsOldAndBigEndianVersions() {
        #expect(throws: GGUFError.unsupportedVersion(1)) { try parse(header(version: 1)) }
        let error = #expect(throws: GGUFError.self) { try parse(header(version: UInt32(3).byteSwapped)) }
        #expect(error?.description.contains("big-endian") == true)
    }

    @Test func acceptsEmptyVersion2File() throws {
        let file = try parse(header(version: 2))
        #expect(file.version == 2 && file.tensors.isEmpty && file.metadata.count == 0)
    }

    @Test func rejectsImplausibleCounts() {
        #expect(throws: GGUFError.self) { try parse(header(tensors: UInt64.max)) }
        #expect(throws: GGUFError.self) { try parse(header(entries: 1 << 40)) }
        // An array claiming 2^50 strings in a file of a few bytes is refused before allocating.
        let bytes = header(entries: 1) + string(Array("k".utf8)) + u32(9) + u32(8) + u64(1 << 50)
        #expect(throws: GGUFError.self) { try parse(bytes) }
    }

    @Test func rejectsInvalidUTF8Key() {
        let bytes = header(entries: 1) + string([0xff, 0xfe]) + u32(0) + [1]
        #expect(throws: GGUFError.invalidUTF8(what: "metadata key", offset: 24)) { try parse(bytes) }
    }

    @Test func rejectsUnknownValueTypeAndDuplicateKeys() {
        let unknown = header(entries: 1) + string(Array("k".utf8)) + u32(99) + [0]
        #expect(throws: GGUFError.unknownValueType(99, key: "k")) { try parse(unknown) }
        let entry = string(Array("k".utf8)) + u32(0) + [7]
        #expect(throws: GGUFError.duplicateKey("k")) { try parse(header(entries: 2) + entry + entry) }
    }

    @Test func rejectsDeepNesting() {
        var bytes = header(entries: 1) + string(Array("k".utf8)) + u32(9)
        for _ in 0..<20 { bytes += u32(9) + u64(1) }
        bytes += u32(0) + u64(0)
        #expect(throws: GGUFError.nestingTooDeep(key: "k")) { try parse(bytes) }
    }

    func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) -> [UInt8] {
        string(Array(name.utf8)) + u32(UInt32(dims.count)) + dims.flatMap(u64) + u32(type) + u64(offset)
    }

    func padded(_ bytes: [UInt8], data: Int) -> [UInt8] {
        let start = (bytes.count + 31) / 32 * 32
        return bytes + Array(repeating: 0, count: start - bytes.count + data)
    }

    @Test func rejectsBadTensors() {
        let unknownType = padded(header(tensors: 1) + tensorInfo("t", dims: [4], type: 77, offset: 0), data: 64)
        #expect(throws: GGUFError.unknownTensorType(77, tensor: "t")) { try parse(unknownType) }

        let duplicate = padded(header(tensors: 2) + tensorInfo("t", dims: [4], type: 0, offset: 0)
            + tensorInfo("t", dims: [4], type: 0, offset: 32), data: 64)
        #expect(throws: GGUFError.duplicateTensor("t")) { try parse(duplicate) }

        let misaligned = padded(header(tensors: 1) + tensorInfo("t", dims: [4], type: 0, offset: 4), data: 64)
        #expect(throws: GGUFError.misalignedTensor(tensor: "t", offset: 4, alignment: 32)) { try parse(misaligned) }

        let pastEnd = padded(header(tensors: 1) + tensorInfo("t", dims: [64], type: 0, offset: 0), data: 100)
        #expect(throws: GGUFError.self) { try parse(pastEnd) }

        let partialBlock = padded(header(tensors: 1) + tensorInfo("t", dims: [33], type: 2, offset: 0), data: 64)
        #expect(throws: GGUFError.rowNotBlockAligned(tensor: "t", type: .q4_0, columns: 33)) { try parse(partialBlock) }

        let tooManyDims = padded(header(tensors: 1) + tensorInfo("t", dims: [1, 1, 1, 1, 1], type: 0, offset: 0), data: 64)
        #expect(throws: GGUFError.self) { try parse(tooManyDims) }

        let huge = padded(header(tensors: 1) + tensorInfo("t", dims: [1 << 40, 1 << 40], type: 0, offset: 0), data: 64)
        #expect(throws: GGUFError.self) { try parse(huge) }

        let fits = padded(header(tensors: 1) + tensorInfo("t", dims: [8, 2], type: 0, offset: 0), data: 64)
        #expect((try? parse(fits))?.tensor(named: "t")?.byteCount == 64)
    }

    @Test func rejectsBadAlignment() {
        for bad: UInt32 in [0, 3, 48] {
            let bytes = header(entries: 1) + string(Array("general.alignment".utf8)) + u32(4) + u32(bad)
            #expect(throws: GGUFError.self) { try parse(bytes) }
        }
        let wrongType = header(entries: 1) + string(Array("general.alignment".utf8)) + u32(8) + string([65])
        #expect(throws: GGUFError.self) { try parse(wrongType) }
    }

    @Test func reportsMissingFiles() {
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/tmp") }
    }
}
