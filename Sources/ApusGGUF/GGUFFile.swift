#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ApusCore

/// An open GGUF model file: its parsed header and zero-copy views of its tensors.
///
/// The file is memory-mapped read-only; tensors are views into the mapping and are
/// never copied at load. The mapping lives as long as this object, so keep the file
/// alive while any `TensorView` from it is in use.
public final class GGUFFile: @unchecked Sendable {
    /// The parsed and validated header.
    public let header: GGUFHeader
    /// The path the file was opened from (`nil` for in-memory files).
    public let path: String?
    /// Size of the whole file in bytes.
    public let byteCount: Int
    private let base: UnsafeRawPointer
    private let release: @Sendable (UnsafeRawPointer, Int) -> Void
    private let tensorIndex: [String: Int]

    /// Opens and validates the file at `path`.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GGUFError.cannotOpen(path: path, reason: Self.errnoText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw GGUFError.cannotOpen(path: path, reason: Self.errnoText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError.cannotOpen(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else { throw GGUFError.truncated(offset: 0, need: 4, what: "magic") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw GGUFError.cannotOpen(path: path, reason: "mmap failed: \(Self.errnoText())")
        }
        do {
            try self.init(base: UnsafeRawPointer(mapped), byteCount: size, path: path) { pointer, count in
                munmap(UnsafeMutableRawPointer(mutating: pointer), count)
            }
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    /// Parses a file held in memory (used by tests and tools); the bytes are copied.
    public convenience init(bytes: [UInt8]) throws {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { source in
            if let start = source.baseAddress { storage.copyMemory(from: start, byteCount: source.count) }
        }
        do {
            try self.init(base: UnsafeRawPointer(storage), byteCount: bytes.count, path: nil) { pointer, _ in
                UnsafeMutableRawPointer(mutating: pointer).deallocate()
            }
        } catch {
            storage.deallocate()
            throw error
        }
    }

    private init(base: UnsafeRawPointer, byteCount: Int, path: String?,
                 release: @escaping @Sendable (UnsafeRawPointer, Int) -> Void) throws {
        self.header = try GGUFHeader.parse(UnsafeRawBufferPointer(start: base, count: byteCount))
        self.base = base
        self.byteCount = byteCount
        self.path = path
        self.release = release
        var index: [String: Int] = [:]
        for (i, info) in header.tensors.enumerated() { index[info.name] = i }
        self.tensorIndex = index
    }

    deinit { release(base, byteCount) }

    /// The file's metadata.
    public var metadata: GGUFMetadata { header.metadata }
    /// Tensor infos in file order.
    public var tensors: [GGUFTensorInfo] { header.tensors }
    /// Format version (2 or 3).
    public var version: UInt32 { header.version }

    /// The info of the tensor named `name`, if present.
    public func tensorInfo(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { header.tensors[$0] }
    }

    /// A zero-copy view of the tensor named `name`, if present.
    public func tensor(named name: String) -> TensorView? {
        tensorInfo(named: name).map(view)
    }

    /// A zero-copy view of the tensor described by `info` (which must come from this file).
    public func view(_ info: GGUFTensorInfo) -> TensorView {
        TensorView(name: info.name, type: info.type, shape: info.shape,
                   data: base + header.dataOffset + info.offset, byteCount: info.byteCount)
    }

    /// Calls `body` with the whole file's bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: byteCount))
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
