import ApusCore
import ApusGGUF
import Testing

@Suite struct GGUFWriterRoundTripTests {
    static func sampleWriter(alignment: Int = 32) throws -> GGUFWriter {
        var writer = GGUFWriter(alignment: alignment)
        writer.add("general.architecture", .string("llama"))
        writer.add("u8", .uint8(200))
        writer.add("i8", .int8(-5))
        writer.add("u16", .uint16(65_000))
        writer.add("i16", .int16(-30_000))
        writer.add("u32", .uint32(4_000_000_000))
        writer.add("i32", .int32(-2_000_000_000))
        writer.add("u64", .uint64(1 << 60))
        writer.add("i64", .int64(-(1 << 60)))
        writer.add("f32", .float32(3.5))
        writer.add("f64", .float64(-2.25))
        writer.add("yes", .bool(true))
        writer.add("text", .string("héllo ▁ world 🙂"))
        writer.add("tokens", .array(.string(["<s>", "a", "▁b", ""])))
        writer.add("scores", .array(.float32([0, -1.5, 2])))
        writer.add("nested", .array(.array([.int32([1, 2]), .int32([]), .int32([3])])))
        try writer.addTensor(name: "a", type: .f32, shape: [3, 2], data: Array(repeating: 1, count: 24))
        try writer.addTensor(name: "b", type: .q8_0, shape: [64], data: Array(repeating: 2, count: 68))
        try writer.addTensor(name: "c", type: .f16, shape: [5], data: Array(0..<10))
        return writer
    }

    @Test(arguments: [32, 64, 8])
    func roundTripsEveryValueType(alignment: Int) throws {
        let file = try GGUFFile(bytes: Self.sampleWriter(alignment: alignment).serialize())
        let m = file.metadata
        #expect(file.version == 3)
        #expect(m.string("general.architecture") == "llama")
        #expect(m["u8"] == .uint8(200) && m["i8"] == .int8(-5))
        #expect(m["u16"] == .uint16(65_000) && m["i16"] == .int16(-30_000))
        #expect(m["u32"] == .uint32(4_000_000_000) && m["i32"] == .int32(-2_000_000_000))
        #expect(m["u64"] == .uint64(1 << 60) && m.int("i64") == -(1 << 60))
        #expect(m.float("f32") == 3.5 && m.double("f64") == -2.25)
        #expect(m.bool("yes") == true)
        #expect(m.string("text") == "héllo ▁ world 🙂")
        #expect(m.strings("tokens") == ["<s>", "a", "▁b", ""])
        #expect(m.floats("scores") == [0, -1.5, 2])
        #expect(m.array("nested") == .array([.int32([1, 2]), .int32([]), .int32([3])]))
        #expect(m.strings("scores") == nil, "wrong-type access returns nil")
        #expect(file.header.alignment == alignment)
        #expect(file.header.dataOffset % alignment == 0)

        let a = try #require(file.tensor(named: "a"))
        #expect(a.shape == [3, 2] && a.type == .f32 && a.byteCount == 24 && a.rows == 2)
        let b = try #require(file.tensor(named: "b"))
        #expect(b.type == .q8_0 && b.byteCount == 68)
        #expect(UnsafeRawBufferPointer(start: b.data, count: b.byteCount).allSatisfy { $0 == 2 })
        let c = try #require(file.tensor(named: "c"))
        #expect(Array(UnsafeRawBufferPointer(start: c.data, count: c.byteCount)) == Array(0..<10))
        #expect(Int(bitPattern: c.data) % alignment == 0 || alignment > 64)
        #expect(file.tensor(named: "missing") == nil)
    }

    @Test func writesAndMapsAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("apus-writer-\(getpid()).gguf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.sampleWriter().write(to: path)
        let file = try GGUFFile(path: path)
        #expect(file.path == path && file.tensors.count == 3)
        #expect(file.metadata.keys.first == "general.architecture")
    }

    @Test func writerRejectsWrongDataSize() {
        var writer = GGUFWriter()
        #expect(throws: TensorError.self) {
            try writer.addTensor(name: "x", type: .q4_0, shape: [32], data: [1, 2, 3])
        }
        #expect(throws: TensorError.self) {
            try writer.addTensor(name: "x", type: .q4_0, shape: [31], data: [])
        }
    }
}

import Foundation
