import Testing
import ApusCore

@Suite struct GGMLTypeTests {
    @Test func everyTypeHasTraits() {
        for type in GGMLType.allCases {
            let traits = type.traits
            #expect(traits.blockSize > 0 && traits.bytesPerBlock > 0, "\(type)")
        }
    }

    @Test func kQuantSizesMatchGGML() {
        // Byte sizes from ggml's block structs (sizeof(block_q4_K) == 144, ...).
        #expect(GGMLType.q2_K.traits.bytesPerBlock == 84)
        #expect(GGMLType.q3_K.traits.bytesPerBlock == 110)
        #expect(GGMLType.q4_K.traits.bytesPerBlock == 144)
        #expect(GGMLType.q5_K.traits.bytesPerBlock == 176)
        #expect(GGMLType.q6_K.traits.bytesPerBlock == 210)
        #expect(GGMLType.q8_K.traits.bytesPerBlock == 292)
    }

    @Test func rowBytesRejectsPartialBlocks() {
        #expect(GGMLType.q4_0.traits.rowBytes(64) == 36)
        #expect(GGMLType.q4_0.traits.rowBytes(65) == nil)
        #expect(GGMLType.f16.traits.rowBytes(7) == 14)
        #expect(GGMLType.q8_0.traits.rowBytes(Int.max - 31) == nil)
    }
}
