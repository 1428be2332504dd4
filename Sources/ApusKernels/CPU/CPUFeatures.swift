#if arch(x86_64)
import _Builtin_intrinsics.intel.cpuid
import ApusKernelsAVX512
#endif

/// What this CPU and the operating system allow, detected once at start.
///
/// A feature counts only when the CPU reports it (CPUID leaf 7) and Linux saves and restores
/// its register state for user programs (the kernel's supported-xfeature mask, which mirrors
/// XCR0: `_xgetbv` does not import into Swift). AMX additionally needs this process's
/// permission to use the tile data (`arch_prctl(ARCH_REQ_XCOMP_PERM, 18)`), requested once
/// when AMX is first asked about, and then a probe that runs one small tile product with
/// SIGILL caught and checks its result; a refusal (old kernel, a VM that withholds the state
/// or traps the instructions) leaves AMX off.
public struct CPUFeatures: Sendable, Equatable, CustomStringConvertible {
    /// AVX2, FMA and F16C: the baseline every kernel target is built for.
    public var avx2: Bool
    /// AVX-512 F, BW and VL with the OS saving the 512-bit and mask state.
    public var avx512: Bool
    /// AVX-512 VNNI (`vpdpbusd zmm`), on top of `avx512`.
    public var avx512VNNI: Bool
    /// AVX-VNNI (`{vex} vpdpbusd ymm`).
    public var avxVNNI: Bool
    /// AMX tile and int8 instructions, reported by the CPU and supported by the OS.
    public var amxInt8: Bool
    /// This process may use the AMX tile data: the permission request succeeded and the tile
    /// probe computed the right product.
    public var amxPermitted: Bool

    /// Creates a feature set (tests build made-up machines with it).
    public init(avx2: Bool, avx512: Bool, avx512VNNI: Bool, avxVNNI: Bool, amxInt8: Bool, amxPermitted: Bool) {
        self.avx2 = avx2
        self.avx512 = avx512
        self.avx512VNNI = avx512VNNI
        self.avxVNNI = avxVNNI
        self.amxInt8 = amxInt8
        self.amxPermitted = amxPermitted
    }

    /// The features of the CPU this process runs on (detected on first use, then fixed).
    public static let current: CPUFeatures = detect()

    public var description: String {
        var names: [String] = []
        if avx2 { names.append("avx2") }
        if avx512 { names.append("avx512") }
        if avx512VNNI { names.append("avx512vnni") }
        if avxVNNI { names.append("avxvnni") }
        if amxInt8 { names.append(amxPermitted ? "amx-int8" : "amx-int8 (not permitted)") }
        return names.isEmpty ? "none" : names.joined(separator: " ")
    }

    private static func detect() -> CPUFeatures {
        #if arch(x86_64) && os(Linux)
        var eax: UInt32 = 0, ebx: UInt32 = 0, ecx: UInt32 = 0, edx: UInt32 = 0
        guard __get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) != 0 else { return .none }
        let fma = ecx & (1 << 12) != 0, osxsave = ecx & (1 << 27) != 0, f16c = ecx & (1 << 29) != 0
        guard __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) != 0 else { return .none }
        let leaf7 = (ebx: ebx, ecx: ecx, edx: edx)
        _ = __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)
        let leaf7Sub1EAX = eax
        // Register state the kernel saves for user programs: bits 1–2 SSE/AVX, 5–7 AVX-512,
        // 17–18 AMX tile config and data.
        let osState = osxsave ? XComponents.supported() : 0
        let osAVX = osState & 0b110 == 0b110
        let osAVX512 = osAVX && osState & 0b1110_0000 == 0b1110_0000
        let osAMX = osState & (0b11 << 17) == 0b11 << 17
        let avx2 = osAVX && fma && f16c && leaf7.ebx & (1 << 5) != 0
        let avx512 = avx2 && osAVX512 && leaf7.ebx & (1 << 16) != 0 && leaf7.ebx & (1 << 30) != 0 && leaf7.ebx & (1 << 31) != 0
        let amx = osAMX && leaf7.edx & (1 << 24) != 0 && leaf7.edx & (1 << 25) != 0
        return CPUFeatures(avx2: avx2, avx512: avx512, avx512VNNI: avx512 && leaf7.ecx & (1 << 11) != 0,
                           avxVNNI: avx2 && leaf7Sub1EAX & (1 << 4) != 0,
                           amxInt8: amx, amxPermitted: amx && XComponents.requestTileData() && AMXTiles.probe())
        #else
        return .none
        #endif
    }

    /// A CPU with none of the features (not x86-64).
    static let none = CPUFeatures(avx2: false, avx512: false, avx512VNNI: false, avxVNNI: false, amxInt8: false, amxPermitted: false)
}

#if arch(x86_64) && os(Linux)
/// Linux's extended-state requests (`arch_prctl`, exported by glibc; `syscall` is variadic
/// and does not import into Swift).
private enum XComponents {
    @_silgen_name("arch_prctl")
    private static func archPrctl(_ code: Int32, _ address: UInt) -> Int32

    private static let getSupported: Int32 = 0x1021  // ARCH_GET_XCOMP_SUPP
    private static let requestPermission: Int32 = 0x1023  // ARCH_REQ_XCOMP_PERM
    private static let tileData: UInt = 18  // XFEATURE_XTILEDATA

    /// The xfeature mask the kernel supports, or 0 when it will not say (kernels before 5.16).
    static func supported() -> UInt64 {
        var mask: UInt64 = 0
        let status = withUnsafeMutablePointer(to: &mask) { archPrctl(getSupported, UInt(bitPattern: $0)) }
        if status == 0 { return mask }
        // Older kernels lack the request: assume only the SSE/AVX state, so the wide paths
        // stay off rather than risk an instruction the OS does not support.
        return 0b110
    }

    /// Asks for permission to use the AMX tile data in this process; true when granted.
    static func requestTileData() -> Bool {
        archPrctl(requestPermission, tileData) == 0
    }
}
#endif
