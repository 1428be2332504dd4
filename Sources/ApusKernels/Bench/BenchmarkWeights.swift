import ApusCore

/// Random weight matrices for benchmarks, large enough that each timed product reads
/// its weights from memory rather than cache.
///
/// The buffer holds several copies of a `rows × columns` matrix, at least `minimumBytes`
/// in all; successive products use successive copies, so no copy is still cached when
/// it is read again.
public final class BenchmarkWeights: @unchecked Sendable {
    /// Element type of the weights.
    public let type: GGMLType
    /// Rows (output features) and columns (input features) of one copy.
    public let rows: Int, columns: Int
    /// Bytes of one copy.
    public let matrixBytes: Int
    /// Number of copies in the buffer.
    public let copies: Int
    private let storage: UnsafeMutableRawPointer

    /// Fills the buffer with valid random rows of `type` (64 distinct rows, repeated).
    public init(type: GGMLType, rows: Int, columns: Int, minimumBytes: Int = 256 << 20, seed: UInt64 = 1) throws(KernelError) {
        guard KernelDispatch.supports(type) else { throw .unsupportedWeightType(type) }
        guard rows > 0, columns > 0, let rowBytes = type.traits.rowBytes(columns) else {
            throw .rowNotBlockAligned(type: type, columns: columns)
        }
        self.type = type
        self.rows = rows
        self.columns = columns
        matrixBytes = rows * rowBytes
        copies = max(1, (minimumBytes + matrixBytes - 1) / matrixBytes)
        storage = .allocate(byteCount: copies * matrixBytes, alignment: 64)

        var random = SplitMix(state: seed)
        let distinctRows = min(rows, 64)
        let sample = UnsafeMutableRawPointer.allocate(byteCount: distinctRows * rowBytes, alignment: 64)
        defer { sample.deallocate() }
        let values = UnsafeMutablePointer<Float>.allocate(capacity: columns)
        defer { values.deallocate() }
        for row in 0..<distinctRows {
            for i in 0..<columns { values[i] = random.nextFloat() }
            Self.encode(type, values, sample + row * rowBytes, columns: columns, random: &random)
        }
        for copy in 0..<copies {
            for row in 0..<rows {
                (storage + copy * matrixBytes + row * rowBytes)
                    .copyMemory(from: sample + (row % distinctRows) * rowBytes, byteCount: rowBytes)
            }
        }
    }

    deinit { storage.deallocate() }

    /// Copy `index` (modulo the number of copies) as a weight matrix.
    public func matrix(_ index: Int) -> WeightMatrix {
        // Validated in init; this cannot fail.
        try! WeightMatrix(data: storage + (index % copies) * matrixBytes, type: type, rows: rows, columns: columns)
    }

    /// Writes one row: quantized from `values` where Apus has an encoder, otherwise random
    /// bytes with every half-precision field set to a small finite number (so timing never
    /// meets NaN or denormal scales).
    static func encode(_ type: GGMLType, _ values: UnsafeMutablePointer<Float>, _ row: UnsafeMutableRawPointer,
                       columns: Int, random: inout SplitMix) {
        switch type {
        case .f32: row.copyMemory(from: values, byteCount: 4 * columns)
        case .f16: for i in 0..<columns { storeHalf(values[i], row, 2 * i) }
        case .bf16:
            for i in 0..<columns { row.storeBytes(of: UInt16(values[i].bitPattern >> 16), toByteOffset: 2 * i, as: UInt16.self) }
        case .q4_0: Q4_0Format.quantize(values, row, count: columns)
        case .q4_1: Q4_1Format.quantize(values, row, count: columns)
        case .q8_0: Q8_0Format.quantize(values, row, count: columns)
        case .q8_1: Q8_1Format.quantize(values, row, count: columns)
        case .q8_K: Q8_KFormat.quantize(values, row, count: columns)
        default:
            let traits = type.traits
            let blocks = columns / traits.blockSize
            for offset in 0..<(blocks * traits.bytesPerBlock) {
                row.storeBytes(of: UInt8(truncatingIfNeeded: random.next()), toByteOffset: offset, as: UInt8.self)
            }
            for block in 0..<blocks {
                for field in halfFieldOffsets(type) {
                    storeHalf(0.01 + 0.01 * random.nextFloat(), row, block * traits.bytesPerBlock + field)
                }
            }
        }
    }

    /// Byte offsets of the half-precision fields inside one block (ggml's block layouts).
    static func halfFieldOffsets(_ type: GGMLType) -> [Int] {
        switch type {
        case .q5_0: return [0]
        case .q5_1: return [0, 2]
        case .q2_K: return [80, 82]
        case .q3_K: return [108]
        case .q4_K, .q5_K: return [0, 2]
        case .q6_K: return [208]
        default: return []
        }
    }
}

/// A tiny deterministic generator (SplitMix64) for benchmark data.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [−1, 1).
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}
