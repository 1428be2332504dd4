import ApusKernels
import Testing

/// Choosing the kernel path: the best the CPU has by default, a forced path only where the
/// CPU and OS allow it, and a typed error (never an illegal instruction) otherwise.
@Suite("Instruction-set selection")
struct InstructionSetTests {
    static let avx2Only = CPUFeatures(avx2: true, avx512: false, avx512VNNI: false, avxVNNI: false, amxInt8: false, amxPermitted: false)
    static let sapphireRapids = CPUFeatures(avx2: true, avx512: true, avx512VNNI: true, avxVNNI: true, amxInt8: true, amxPermitted: true)

    @Test func bestPath() throws {
        #expect(InstructionSet.best(for: Self.avx2Only) == .avx2)
        #expect(InstructionSet.best(for: Self.sapphireRapids) == .amx)
        #expect(try InstructionSet.resolve(nil, on: Self.avx2Only) == .avx2)
        #expect(try InstructionSet.resolve("", on: Self.sapphireRapids) == .amx)
        #expect(try InstructionSet.resolve("avx512", on: Self.sapphireRapids) == .avx512)
        #expect(try InstructionSet.resolve("AVX2", on: Self.sapphireRapids) == .avx2)
    }

    @Test func refusesWhatTheCPULacks() {
        #expect(throws: KernelError.self) { try InstructionSet.resolve("avx512", on: Self.avx2Only) }
        #expect(throws: KernelError.unknownInstructionSet("sse9")) { try InstructionSet.resolve("sse9", on: Self.sapphireRapids) }
        do {
            _ = try InstructionSet.resolve("avx512", on: Self.avx2Only)
            Issue.record("avx512 accepted on an AVX2-only CPU")
        } catch {
            #expect(error.description.contains("avx512") && error.description.contains("APUS_ISA"))
        }
    }

    /// AMX where Linux refuses the tile state (the permission request failed, or a VM withholds
    /// it): refused with that reason; the default path stays AVX-512.
    @Test func amxRefusedFallsBack() {
        var refused = Self.sapphireRapids
        refused.amxPermitted = false
        #expect(InstructionSet.best(for: refused) == .avx512)
        do {
            _ = try InstructionSet.resolve("amx", on: refused)
            Issue.record("amx accepted without the tile permission")
        } catch {
            #expect(error.description.contains("refused"))
        }
    }

    /// AMX is a path of its own where the tiles work, and needs the AVX-512 kernels beside it.
    @Test func amxPath() throws {
        #expect(try InstructionSet.resolve("amx", on: Self.sapphireRapids) == .amx)
        #expect(InstructionSet.amx.hasWideKernels && InstructionSet.avx512.hasWideKernels && !InstructionSet.avx2.hasWideKernels)
        var noAVX512 = Self.sapphireRapids
        noAVX512.avx512 = false
        noAVX512.avx512VNNI = false
        #expect(throws: KernelError.self) { try InstructionSet.resolve("amx", on: noAVX512) }
        #expect(InstructionSet.best(for: noAVX512) == .avx2)
    }

    /// The detected features are consistent and the default path is one the CPU has.
    @Test func detectedMachine() throws {
        let features = CPUFeatures.current
        #if arch(x86_64)
        #expect(features.avx2, "every x86-64 CPU Apus runs on has AVX2")
        #endif
        if features.avx512VNNI { #expect(features.avx512) }
        if features.amxPermitted { #expect(features.amxInt8) }
        #expect(InstructionSet.available.contains(.best(for: features)))
        for isa in InstructionSet.allCases where !InstructionSet.available.contains(isa) {
            #expect(throws: KernelError.self) { try InstructionSet.select(isa) }
        }
    }
}
