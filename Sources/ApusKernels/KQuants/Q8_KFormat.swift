import ApusCore

/// Q8_K: the activation format K-quant weights are dotted against, 256 values per block.
///
/// Block layout (292 bytes, ggml's `block_q8_K`):
/// ```
/// offset 0    f32  d          scale: value = d · q
/// offset 4    i8   qs[256]    quants in −127…127
/// offset 260  i16  bsums[16]  sum of each run of 16 quants (the K-quant kernels use them
///                             for the min and offset terms instead of re-adding the quants)
/// ```
/// The dot product pairs Q8_K with Q8_K (ggml has no such kernel; it is here so the type
/// is complete and so tests can dot activations with activations).
public enum Q8_KFormat: QuantizableFormat {
    public static var type: GGMLType { .q8_K }

    static let blockBytes = 292
    static let quantsOffset = 4
    static let sumsOffset = 260

    /// Decodes `count` values (a multiple of 256): `d · q`, as ggml's `dequantize_row_q8_K`.
    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0 ..< count / KQuant.superBlock {
            let base = source + block * blockBytes
            let d = base.loadUnaligned(as: Float.self)
            let quants = (base + quantsOffset).assumingMemoryBound(to: Int8.self)
            let out = destination + block * KQuant.superBlock
            for index in 0 ..< KQuant.superBlock {
                out[index] = d * Float(quants[index])
            }
        }
    }

    /// Σ over blocks of `(dx · dy) · Σ qx·qy`, the integer sum exact, floats in block order.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes, y = activations + block * blockBytes
            let qx = (x + quantsOffset).assumingMemoryBound(to: Int8.self)
            let qy = (y + quantsOffset).assumingMemoryBound(to: Int8.self)
            var integerSum: Int32 = 0
            for index in 0 ..< KQuant.superBlock {
                integerSum &+= Int32(qx[index]) &* Int32(qy[index])
            }
            let scale = x.loadUnaligned(as: Float.self) * y.loadUnaligned(as: Float.self)
            sum += scale * Float(integerSum)
        }
        return sum
    }

    /// The fast dot product (AVX2 on x86_64); equal to `dotReference` for quants in −127…127.
    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        return dotAVX2(weights, activations, count: count)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }

    /// Encodes `count` floats (a multiple of 256) as ggml's `quantize_row_q8_K_ref`, which is
    /// also what llama.cpp runs on x86 (its AVX2 build calls the reference).
    ///
    /// Per block: find the value of largest magnitude `max` (the first one on ties), use
    /// `iscale = −127 / max`, `q = min(127, nearest(iscale · x))`, `d = 1 / iscale`. The
    /// negative scale makes the extreme value −127 exactly. An all-zero block gets `d = 0`,
    /// zero quants and zero sums (ggml leaves its sums unwritten there).
    public static func quantizeReference(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        for block in 0 ..< count / KQuant.superBlock {
            let x = source + block * KQuant.superBlock
            let base = destination + block * blockBytes
            let quants = (base + quantsOffset).assumingMemoryBound(to: Int8.self)
            var largest: Float = 0, magnitude: Float = 0
            for index in 0 ..< KQuant.superBlock where abs(x[index]) > magnitude {
                magnitude = abs(x[index])
                largest = x[index]
            }
            if magnitude == 0 {
                writeZeroBlock(base)
                continue
            }
            let inverseScale = -127 / largest
            for index in 0 ..< KQuant.superBlock {
                quants[index] = Int8(truncatingIfNeeded: min(127, KQuant.nearestInt(inverseScale * x[index])))
            }
            for group in 0 ..< 16 {
                var groupSum: Int32 = 0
                for index in 0 ..< 16 { groupSum &+= Int32(quants[group * 16 + index]) }
                base.storeBytes(of: Int16(truncatingIfNeeded: groupSum), toByteOffset: sumsOffset + 2 * group, as: Int16.self)
            }
            base.storeBytes(of: 1 / inverseScale, as: Float.self)
        }
    }

    /// The fast encoder (AVX2 on x86_64); writes the same bytes as `quantizeReference`.
    public static func quantize(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        #if arch(x86_64)
        quantizeAVX2(source, destination, count: count)
        #else
        quantizeReference(source, destination, count: count)
        #endif
    }

    static func writeZeroBlock(_ base: UnsafeMutableRawPointer) {
        base.initializeMemory(as: UInt8.self, repeating: 0, count: blockBytes)
    }
}
