// swift-tools-version: 6.1
import PackageDescription

/// Flags for the kernel target: AVX2/FMA/F16C intrinsics (see shared KERNEL-NOTES), unchecked
/// arithmetic in the hot loops. Only x86_64 builds get the -m flags.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mf16c"], .when(platforms: [.linux])),
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// Flags for the AVX-512 kernel target: only it may contain AVX-512 instructions (it runs only
/// when `InstructionSet.active` is `.avx512`); everything else keeps the AVX2 baseline.
let avx512KernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mf16c", "-Xcc", "-mavx512f", "-Xcc", "-mavx512bw",
                  "-Xcc", "-mavx512vl", "-Xcc", "-mavx512vnni"], .when(platforms: [.linux])),
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// Flags for the AMX tile target (C: the tile intrinsics are macros Swift cannot import). Only it
/// may contain tile instructions; they run only after the permission request and the probe.
let amxTileFlags: [CSetting] = [
    .unsafeFlags(["-mamx-tile", "-mamx-int8", "-O2"], .when(platforms: [.linux])),
]

let package = Package(
    name: "Apus",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "apus", targets: ["apus"]),
        .library(name: "ApusCore", targets: ["ApusCore"]),
        .library(name: "ApusGGUF", targets: ["ApusGGUF"]),
        .library(name: "ApusKernels", targets: ["ApusKernels"]),
        .library(name: "ApusTokenizer", targets: ["ApusTokenizer"]),
        .library(name: "ApusStore", targets: ["ApusStore"]),
        .library(name: "ApusModels", targets: ["ApusModels"]),
        .library(name: "ApusSampling", targets: ["ApusSampling"]),
        .library(name: "ApusEngine", targets: ["ApusEngine"]),
        .library(name: "ApusServer", targets: ["ApusServer"]),
        .library(name: "ApusGrammar", targets: ["ApusGrammar"]),
        .library(name: "ApusBench", targets: ["ApusBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(name: "ApusCore"),
        .target(name: "ApusGGUF", dependencies: ["ApusCore"]),
        .target(name: "ApusKernelsAMX", cSettings: amxTileFlags),
        .target(name: "ApusKernelsAVX512", dependencies: ["ApusKernelsAMX"], swiftSettings: avx512KernelFlags),
        .target(name: "ApusKernels", dependencies: ["ApusCore", "ApusKernelsAVX512"], swiftSettings: kernelFlags),
        .target(name: "ApusTokenizer", dependencies: ["ApusCore", "ApusGGUF"]),
        .target(name: "ApusSampling", dependencies: ["ApusCore"]),
        .target(name: "ApusModels", dependencies: ["ApusCore", "ApusGGUF", "ApusKernels"]),
        .target(name: "ApusEngine", dependencies: ["ApusModels", "ApusSampling", "ApusTokenizer"]),
        .target(name: "ApusGrammar", dependencies: ["ApusCore", "ApusSampling", "ApusTokenizer"]),
        .target(
            name: "ApusStore",
            dependencies: [
                "ApusCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "ApusServer",
            dependencies: [
                "ApusEngine", "ApusSampling", "ApusTokenizer", "ApusGrammar",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ApusBench",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "apus",
            dependencies: [
                "ApusCore", "ApusGGUF", "ApusKernels", "ApusTokenizer", "ApusStore", "ApusModels", "ApusSampling", "ApusEngine",
                "ApusServer", "ApusGrammar", "ApusBench",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "ApusTestSupport", path: "Sources/ApusTestSupport"),
        .testTarget(name: "ApusCoreTests", dependencies: ["ApusCore"]),
        .testTarget(name: "ApusGGUFTests", dependencies: ["ApusGGUF", "ApusTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ApusKernelsTests", dependencies: ["ApusKernels", "ApusGGUF", "ApusTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ApusTokenizerTests", dependencies: ["ApusTokenizer", "ApusTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ApusModelsTests", dependencies: ["ApusModels", "ApusTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ApusSamplingTests", dependencies: ["ApusSampling"]),
        .testTarget(name: "ApusEngineTests", dependencies: ["ApusEngine", "ApusGrammar", "ApusTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ApusGrammarTests", dependencies: ["ApusGrammar", "ApusTokenizer", "ApusGGUF", "ApusTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ApusStoreTests", dependencies: ["ApusStore", "ApusTestSupport"]),
        .testTarget(
            name: "ApusServerTests",
            dependencies: [
                "ApusServer", "ApusEngine", "ApusModels", "ApusKernels", "ApusGGUF", "ApusTokenizer", "ApusTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "ApusBenchTests",
            dependencies: [
                "ApusBench",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
