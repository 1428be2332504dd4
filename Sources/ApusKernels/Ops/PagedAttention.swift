import Foundation

/// Causal attention of one query head over keys and values kept in fixed-size blocks.
///
/// Cache layout, per layer: `blocks × kvHeads × blockSize × headDimension` half floats,
/// so the keys of one head within a block are contiguous and attention streams them in
/// order. A sequence's positions map to blocks through its block table
/// (`position / blockSize` → block id, `position % blockSize` → slot).
public struct PagedAttentionLayout: Sendable {
    /// Token slots per block.
    public let blockSize: Int
    /// Number of key/value heads.
    public let kvHeads: Int
    /// Values per head.
    public let headDimension: Int

    /// A layout.
    public init(blockSize: Int, kvHeads: Int, headDimension: Int) {
        self.blockSize = blockSize
        self.kvHeads = kvHeads
        self.headDimension = headDimension
    }

    /// Offset (in elements) of the row for `block`, `head`, `slot`.
    @inline(__always)
    public func offset(block: Int, head: Int, slot: Int) -> Int {
        ((block * kvHeads + head) * blockSize + slot) * headDimension
    }

    /// Elements in one block (all heads).
    public var elementsPerBlock: Int { kvHeads * blockSize * headDimension }
}

/// The attention kernels: a scalar reference and the fast path.
public enum PagedAttention {
    /// Attends query `q` (`headDimension` floats) of one head to the positions
    /// `first...last` of one sequence, writing `headDimension` floats to `output`.
    ///
    /// - Parameters:
    ///   - keys, values: the layer's cache storage.
    ///   - blockTable: the sequence's block ids.
    ///   - kvHead: which key/value head this query head reads (grouped-query attention).
    ///   - scale: multiplies the scores before softmax (1/√d usually).
    ///   - scores: scratch of at least `last − first + 1` floats.
    ///
    /// Matches llama.cpp's default (non-flash) attention numerics: ggml multiplies an F16
    /// cache by F32 operands by first rounding those operands to F16, so the query is
    /// rounded to half precision before Q·K and the probabilities before P·V. Without the
    /// two roundings logits drift from llama.cpp's by as much as its own flash and
    /// non-flash paths differ from each other (~1 logit on SmolLM2).

    public static func attend(query q: UnsafeMutablePointer<Float>, keys: UnsafePointer<Float16>, values: UnsafePointer<Float16>,
                              layout: PagedAttentionLayout, blockTable: UnsafePointer<Int32>, first: Int, last: Int,
                              kvHead: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
                              output: UnsafeMutablePointer<Float>) {
        let d = layout.headDimension
        let count = last - first + 1
        guard count > 0 else {
            output.update(repeating: 0, count: d)
            return
        }
        for j in 0..<d { q[j] = Float(Float16(q[j])) }
        for i in 0..<count {
            let position = first + i
            let row = keys + layout.offset(block: Int(blockTable[position / layout.blockSize]), head: kvHead,
                                           slot: position % layout.blockSize)
            scores[i] = dotHalf(q, row, count: d) * scale
        }
        Activations.softmax(scores, count: count)
        for i in 0..<count { scores[i] = Float(Float16(scores[i])) }
        output.update(repeating: 0, count: d)
        for i in 0..<count {
            let position = first + i
            let row = values + layout.offset(block: Int(blockTable[position / layout.blockSize]), head: kvHead,
                                             slot: position % layout.blockSize)
            addScaledHalf(row, weight: scores[i], into: output, count: d)
        }
    }

    /// The plain-loop version of `attend`, the yardstick for tests.
    public static func attendReference(query q: UnsafePointer<Float>, keys: UnsafePointer<Float16>,
                                       values: UnsafePointer<Float16>, layout: PagedAttentionLayout,
                                       blockTable: UnsafePointer<Int32>, first: Int, last: Int, kvHead: Int,
                                       scale: Float, output: UnsafeMutablePointer<Float>) {
        let d = layout.headDimension
        var scores: [Float] = []
        let q = (0..<d).map { Float(Float16(q[$0])) }
        for position in first...last {
            let row = keys + layout.offset(block: Int(blockTable[position / layout.blockSize]), head: kvHead,
                                           slot: position % layout.blockSize)
            var s: Float = 0
            for j in 0..<d { s += q[j] * Float(row[j]) }
            scores.append(s * scale)
        }
        let maximum = scores.max() ?? 0
        let exps = scores.map { expf($0 - maximum) }
        let total = exps.reduce(0, +)
        let probabilities = exps.map { Float(Float16($0 / total)) }
        for j in 0..<d { output[j] = 0 }
        for (i, position) in (first...last).enumerated() {
            let row = values + layout.offset(block: Int(blockTable[position / layout.blockSize]), head: kvHead,
                                             slot: position % layout.blockSize)
            for j in 0..<d { output[j] += probabilities[i] * Float(row[j]) }
        }
    }

    /// Dot product of floats with half floats (d a multiple of 8 takes the SIMD path).
    @inline(__always)
    static func dotHalf(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float16>, count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= count {
            acc0.addProduct(ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                            SIMD8<Float>(rb.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<Float16>.self)))
            acc1.addProduct(ra.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self),
                            SIMD8<Float>(rb.loadUnaligned(fromByteOffset: (i + 8) * 2, as: SIMD8<Float16>.self)))
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < count { sum += a[i] * Float(b[i]); i += 1 }
        return sum
    }

    /// `output += weight * b` with `b` in half floats.
    @inline(__always)
    static func addScaledHalf(_ b: UnsafePointer<Float16>, weight: Float, into output: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let w = SIMD8<Float>(repeating: weight)
        let ro = UnsafeMutableRawPointer(output), rb = UnsafeRawPointer(b)
        while i + 8 <= count {
            var o = ro.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            o.addProduct(w, SIMD8<Float>(rb.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<Float16>.self)))
            ro.storeBytes(of: o, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { output[i] += weight * Float(b[i]); i += 1 }
    }
}
