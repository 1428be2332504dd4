/// A read-only view of one tensor's bytes, usually inside a memory-mapped model file.
///
/// Shapes follow GGML order: `shape[0]` is the innermost (contiguous) dimension, so a
/// weight matrix of `rows` outputs and `columns` inputs has `shape == [columns, rows]`.
/// The view does not own its memory: whoever created it (the GGUF file) must outlive it.
public struct TensorView: @unchecked Sendable {
    /// The tensor's name in the file, e.g. `blk.0.attn_q.weight`.
    public let name: String
    /// Element type of the data.
    public let type: GGMLType
    /// Dimensions, innermost first.
    public let shape: [Int]
    /// Start of the tensor's data.
    public let data: UnsafeRawPointer
    /// Number of bytes of data.
    public let byteCount: Int

    /// Creates a view; the caller guarantees `data` stays valid for `byteCount` bytes.
    public init(name: String, type: GGMLType, shape: [Int], data: UnsafeRawPointer, byteCount: Int) {
        self.name = name
        self.type = type
        self.shape = shape
        self.data = data
        self.byteCount = byteCount
    }

    /// Total number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
    /// Elements per row (the innermost dimension).
    public var columns: Int { shape.first ?? 1 }
    /// Number of rows: the product of every dimension but the first.
    public var rows: Int { shape.dropFirst().reduce(1, *) }
    /// Bytes per row in this tensor's type.
    public var rowBytes: Int { type.traits.rowBytes(columns) ?? 0 }

    /// Pointer to the start of row `index`.
    @inlinable
    public func row(_ index: Int) -> UnsafeRawPointer { data + index * rowBytes }
}
