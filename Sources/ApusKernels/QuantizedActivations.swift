import ApusCore

/// A batch of activation rows quantized for one weight type's dot product.
///
/// Shape: `tokens` rows of `columns` values in `type` (the weight type's
/// `dotActivationType`: Q8_0, Q8_1, Q8_K or plain F32), each row `rowBytes` bytes.
/// The buffer is allocated once with a capacity for the largest batch and reused, so the
/// forward pass allocates nothing.
public final class QuantizedActivations: @unchecked Sendable {
    /// Format of the stored rows.
    public private(set) var type: GGMLType = .f32
    /// Number of rows (tokens) stored.
    public private(set) var tokens = 0
    /// Values per row.
    public private(set) var columns = 0
    /// Bytes per stored row.
    public private(set) var rowBytes = 0
    /// Bytes the buffer can hold.
    public let capacityBytes: Int
    private let storage: UnsafeMutableRawPointer

    /// Allocates room for `capacityBytes` bytes of quantized rows (64-byte aligned).
    public init(capacityBytes: Int) {
        self.capacityBytes = max(0, capacityBytes)
        storage = .allocate(byteCount: max(64, capacityBytes), alignment: 64)
    }

    /// Allocates room for `tokens` rows of `columns` values for weights of `weightType`.
    public convenience init(tokens: Int, columns: Int, for weightType: GGMLType) throws(KernelError) {
        try self.init(capacityBytes: tokens * Self.rowBytes(columns: columns, for: weightType).bytes)
    }

    deinit { storage.deallocate() }

    /// Start of row `token`.
    @inline(__always)
    public func row(_ token: Int) -> UnsafeRawPointer { UnsafeRawPointer(storage) + token * rowBytes }

    /// The activation type for `weightType` and the bytes one row of `columns` values takes in it.
    public static func rowBytes(columns: Int, for weightType: GGMLType) throws(KernelError) -> (type: GGMLType, bytes: Int) {
        guard let activationType = weightType.traits.dotActivationType else { throw .unsupportedWeightType(weightType) }
        guard columns > 0, let bytes = activationType.traits.rowBytes(columns),
              weightType.traits.rowBytes(columns) != nil else {
            throw .rowNotBlockAligned(type: weightType, columns: columns)
        }
        return (activationType, bytes)
    }

    /// Quantizes `input` (`tokens × columns` floats, row-major) into the activation format
    /// that weights of `weightType` are dotted against; rows are spread over `pool`.
    public func quantize(_ input: UnsafePointer<Float>, tokens: Int, columns: Int,
                         for weightType: GGMLType, pool: ThreadPool? = nil) throws(KernelError) {
        let (activationType, bytes) = try Self.rowBytes(columns: columns, for: weightType)
        guard tokens >= 0 else { throw .bufferTooSmall(what: "activation batch", neededBytes: 0, capacityBytes: capacityBytes) }
        let (needed, overflow) = tokens.multipliedReportingOverflow(by: bytes)
        guard !overflow, needed <= capacityBytes else {
            throw .bufferTooSmall(what: "activation buffer for \(tokens) × \(columns) \(activationType)",
                                  neededBytes: overflow ? Int.max : needed, capacityBytes: capacityBytes)
        }
        type = activationType
        self.tokens = tokens
        self.columns = columns
        rowBytes = bytes
        let quantizeRow = KernelDispatch.activationQuantizer(for: activationType)
        let destination = storage
        let work = { (token: Int) in
            quantizeRow(input + token * columns, destination + token * bytes, columns)
        }
        if let pool, tokens > 1 {
            pool.run(tasks: tokens, work)
        } else {
            for token in 0..<tokens { work(token) }
        }
    }
}
