import ApusCore

/// A weight matrix as the matrix kernels read it: `rows` rows of `columns` values of
/// `type`, each row `rowBytes` bytes, rows back to back starting at `data`.
///
/// It borrows its memory (usually the mmapped model file), which must outlive it.
public struct WeightMatrix: @unchecked Sendable {
    /// Start of row 0.
    public let data: UnsafeRawPointer
    /// Element type of the weights.
    public let type: GGMLType
    /// Output features (rows).
    public let rows: Int
    /// Input features (values per row).
    public let columns: Int
    /// Bytes per row.
    public let rowBytes: Int

    /// Checks a raw matrix description: the type has kernels, rows are whole blocks, sizes are sane.
    public init(data: UnsafeRawPointer, type: GGMLType, rows: Int, columns: Int) throws(KernelError) {
        guard type.traits.isSupportedByKernels, KernelDispatch.supports(type) else { throw .unsupportedWeightType(type) }
        guard rows >= 0, columns > 0, let rowBytes = type.traits.rowBytes(columns) else {
            throw .rowNotBlockAligned(type: type, columns: columns)
        }
        self.data = data
        self.type = type
        self.rows = rows
        self.columns = columns
        self.rowBytes = rowBytes
    }

    /// Views a 2-D tensor (`shape == [columns, rows]`, GGML order) as a weight matrix.
    public init(_ tensor: TensorView) throws(KernelError) {
        guard tensor.shape.count == 2 || (tensor.shape.count > 2 && tensor.shape.dropFirst(2).allSatisfy { $0 == 1 }) else {
            throw .badWeightShape(name: tensor.name, shape: tensor.shape, byteCount: tensor.byteCount)
        }
        try self.init(data: tensor.data, type: tensor.type, rows: tensor.rows, columns: tensor.columns)
        let (needed, overflow) = rows.multipliedReportingOverflow(by: rowBytes)
        guard !overflow, needed <= tensor.byteCount else {
            throw .badWeightShape(name: tensor.name, shape: tensor.shape, byteCount: tensor.byteCount)
        }
    }

    /// Start of row `index`.
    @inline(__always)
    public func row(_ index: Int) -> UnsafeRawPointer { data + index * rowBytes }
}
