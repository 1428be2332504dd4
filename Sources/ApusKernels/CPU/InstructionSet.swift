#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The instruction-set path the batched matrix kernels take.
///
/// Chosen once at start: the widest path the CPU and OS allow, or the one `APUS_ISA` names
/// (so tests and benchmarks can force each). Every path computes every output in the same
/// float order (the numerics contract in `QuantFormat`), so switching paths never changes a
/// result, only its speed.
public enum InstructionSet: String, Sendable, CaseIterable, CustomStringConvertible {
    /// 256-bit AVX2 + FMA + F16C: every x86-64 CPU Apus runs on.
    case avx2
    /// 512-bit AVX-512 VNNI (`vpdpbusd zmm`) for batched products; AVX2 elsewhere.
    case avx512
    /// AMX int8 tiles for Q4_K products of sixteen tokens or more, the AVX-512
    /// VNNI kernels for everything else. Needs the CPU's AMX int8, Linux's permission for the
    /// tile state and a working probe (a VM may advertise AMX and still trap it).
    case amx

    public var description: String { rawValue }

    /// Whether this path runs the AVX-512 VNNI batched kernels (`.avx512`, and `.amx` beside its tiles).
    public var hasWideKernels: Bool { self != .avx2 }

    /// The environment variable that forces a path.
    public static let environmentVariable = "APUS_ISA"

    /// Why `features` cannot run this path, or nil when it can.
    public func unavailableReason(on features: CPUFeatures) -> String? {
        switch self {
        case .avx2:
            return features.avx2 ? nil : "this CPU (or OS) lacks AVX2/FMA/F16C, which every Apus kernel needs"
        case .avx512:
            return features.avx512VNNI ? nil : "this CPU (or OS) lacks AVX-512 F/BW/VL with VNNI (it has: \(features))"
        case .amx:
            if !features.amxInt8 { return "this CPU (or OS) lacks AMX int8 (it has: \(features))" }
            if !features.amxPermitted {
                return "Linux refused this process the AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM), or the tiles failed their probe"
            }
            if !features.avx512VNNI { return "the AMX path also needs AVX-512 VNNI, which this CPU (or OS) lacks" }
            return nil
        }
    }

    /// The paths this CPU can run, narrowest first.
    public static var available: [InstructionSet] { allCases.filter { $0.unavailableReason(on: .current) == nil } }

    /// The widest path `features` can run: AMX where the tiles work (it measured as fast or
    /// faster than AVX-512 alone on every catalog model's prompt, see BENCHMARKS.md), else
    /// AVX-512 VNNI, else AVX2.
    public static func best(for features: CPUFeatures) -> InstructionSet {
        if InstructionSet.amx.unavailableReason(on: features) == nil { return .amx }
        return features.avx512VNNI ? .avx512 : .avx2
    }

    /// The path `request` names (nil or empty: the best), refused with a typed error when
    /// unknown or when `features` cannot run it.
    public static func resolve(_ request: String?, on features: CPUFeatures) throws(KernelError) -> InstructionSet {
        guard let request, !request.isEmpty else { return best(for: features) }
        guard let isa = InstructionSet(rawValue: request.lowercased()) else {
            throw .unknownInstructionSet(request)
        }
        if let reason = isa.unavailableReason(on: features) { throw .instructionSetUnavailable(isa.rawValue, reason: reason) }
        return isa
    }

    /// The path in use. Starts as the best for this CPU; `select` or `selectFromEnvironment`
    /// changes it (any time: results do not depend on it).
    public static var active: InstructionSet { ActiveInstructionSet.value }

    /// Uses `isa` from now on, if this CPU can run it.
    public static func select(_ isa: InstructionSet) throws(KernelError) {
        if let reason = isa.unavailableReason(on: .current) { throw .instructionSetUnavailable(isa.rawValue, reason: reason) }
        ActiveInstructionSet.value = isa
    }

    /// Applies `APUS_ISA` (unset: the best path); returns the path now in use.
    @discardableResult
    public static func selectFromEnvironment() throws(KernelError) -> InstructionSet {
        let isa = try resolve(getenv(environmentVariable).map { String(cString: $0) }, on: .current)
        ActiveInstructionSet.value = isa
        return isa
    }

    /// The path in use and what the CPU offers, e.g. `avx512 (CPU features: avx2 avx512 …)`.
    public static var activeDescription: String { "\(active) (CPU features: \(CPUFeatures.current))" }

    /// One phrase for logs: `kernels avx512 (CPU features: …)`.
    public static var summary: String { "kernels \(activeDescription)" }
}

/// The process-wide choice. A plain word read on every batched product; a change takes
/// effect for products that start after it, and any mix of paths gives the same numbers.
private enum ActiveInstructionSet {
    nonisolated(unsafe) static var value: InstructionSet = .best(for: .current)
}
