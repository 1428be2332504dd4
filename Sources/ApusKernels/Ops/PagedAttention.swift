import Foundation
#if arch(x86_64)
import ApusKernelsAVX512
#endif

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
///
/// Both follow llama.cpp's default (non-flash) attention numerics on the CPU, so that the
/// same weights give the same tokens: ggml multiplies the F16 cache by F32 operands after
/// rounding those operands to F16 (the query before Q·K, the probabilities before P·V);
/// its softmax scales the scores, takes e^x with `VectorExp`, sums groups of eight
/// (aligned to cache positions) in double precision and multiplies by the rounded
/// reciprocal; and both products group their sums as `SummationOrder` describes. Without
/// this the logits drift from llama.cpp's by as much as its own flash and non-flash paths
/// differ (~1 logit on SmolLM2), enough to change greedy continuations.
public enum PagedAttention {
    /// Floats of scratch `attend`/`attendGroup` need for a context of `contextLength`
    /// positions, heads of `headDimension` values and `heads` query heads at once.
    public static func scratchCount(contextLength: Int, headDimension: Int, heads: Int = 1) -> Int {
        max(1, heads) * (contextLength + 16 + 32 * headDimension) + 4 * headDimension + 2 * (contextLength + 1)
    }

    /// Attends query `q` (`headDimension` floats) of one head to the positions
    /// `first...last` of one sequence, writing `headDimension` floats to `output`:
    /// `attendGroup` for one head.
    public static func attend(query q: UnsafeMutablePointer<Float>, keys: UnsafePointer<Float16>, values: UnsafePointer<Float16>,
                              layout: PagedAttentionLayout, blockTable: UnsafePointer<Int32>, first: Int, last: Int,
                              kvHead: Int, scale: Float, order: SummationOrder, scratch: UnsafeMutablePointer<Float>,
                              output: UnsafeMutablePointer<Float>) {
        attendGroup(queries: q, heads: 1, keys: keys, values: values, layout: layout, blockTable: blockTable,
                    first: first, last: last, kvHead: kvHead, scale: scale, order: order, scratch: scratch, outputs: output)
    }

    /// Attends `heads` query heads that share key/value head `kvHead` (grouped-query
    /// attention) to the positions `first...last` of one sequence: queries and outputs
    /// are `heads` rows of `headDimension` floats, back to back.
    ///
    /// Each key row is read from the cache and widened from half precision once for all the
    /// heads (four rows at a time, into scratch); value rows are widened on the fly by each
    /// head's P·V pass, which keeps its sums in registers (`accumulateValues`). Every head's
    /// sums are the same operations in the same order as attending it alone.
    ///
    /// - Parameters:
    ///   - queries: rounded to half precision in place.
    ///   - keys, values: the layer's cache storage.
    ///   - blockTable: the sequence's block ids.
    ///   - scale: multiplies the scores before softmax (1/√d usually).
    ///   - order: `.matrix` when the sequence has several tokens in the batch, `.vector` for one.
    ///   - scratch: at least `scratchCount(contextLength: last + 1, headDimension:, heads:)` floats.
    public static func attendGroup(queries: UnsafeMutablePointer<Float>, heads: Int, keys: UnsafePointer<Float16>,
                                   values: UnsafePointer<Float16>, layout: PagedAttentionLayout,
                                   blockTable: UnsafePointer<Int32>, first: Int, last: Int, kvHead: Int, scale: Float,
                                   order: SummationOrder, scratch: UnsafeMutablePointer<Float>,
                                   outputs: UnsafeMutablePointer<Float>) {
        let d = layout.headDimension
        guard last >= first else {
            outputs.update(repeating: 0, count: heads * d)
            return
        }
        for j in 0..<(heads * d) { queries[j] = Float(Float16(queries[j])) }
        // Scratch: four widened key rows, then each head's scores for positions start..<end
        // (padded with −∞ to whole groups of eight), then each head's P·V lanes, then the
        // cache offset of every position's rows (one block-table lookup per position; the area
        // may be only 4-byte aligned, hence the unaligned loads).
        let widened = scratch
        let start = first & ~7, end = (last + 8) & ~7, count = end - start
        let scores = scratch + 4 * d
        @inline(__always) func score(_ head: Int) -> UnsafeMutablePointer<Float> { scores + head * count - start }
        let lanes = order.laneCount
        let accumulators = scores + heads * count
        let offsets = UnsafeMutableRawPointer(accumulators + heads * lanes * d)
        @inline(__always) func offset(_ position: Int) -> Int {
            offsets.loadUnaligned(fromByteOffset: 8 * (position - first), as: Int.self)
        }
        // Block by block: one table lookup (and no division) per block, not per position.
        var blockStart = first - first % layout.blockSize
        while blockStart <= last {
            let base = layout.offset(block: Int(blockTable[blockStart / layout.blockSize]), head: kvHead, slot: 0)
            for position in max(first, blockStart)...min(last, blockStart + layout.blockSize - 1) {
                offsets.storeBytes(of: base + (position - blockStart) * d, toByteOffset: 8 * (position - first), as: Int.self)
            }
            blockStart += layout.blockSize
        }
        for head in 0..<heads {
            for position in start..<first { score(head)[position] = -.infinity }
            for position in (last + 1)..<end { score(head)[position] = -.infinity }
        }
        // Q·K four keys at a time: four independent sums per head instead of one dependent
        // chain, each key row widened once for all the heads. On the wide paths two keys
        // share each 512-bit FMA (the same lanes, so the same bits) and the keys are widened
        // in registers.
        #if arch(x86_64)
        let wideKernels = InstructionSet.active.hasWideKernels  // read once: one path for the whole call
        let wide = wideKernels && order == .matrix && d % 32 == 0
        #endif
        var position = first
        while position <= last {
            let keyCount = min(4, last - position + 1)
            #if arch(x86_64)
            if wide && keyCount == 4 {
                AVX512Attention.scoreFour(keys + offset(position), keys + offset(position + 1), keys + offset(position + 2),
                                          keys + offset(position + 3), queries: queries, heads: heads, count: d,
                                          scale: scale, scores: score(0) + position, headStride: count)
                position += 4
                continue
            }
            #endif
            for i in 0..<keyCount { HalfConversion.load(keys + offset(position + i), into: widened + i * d, count: d) }
            for head in 0..<heads {
                let q = UnsafePointer(queries + head * d)
                if keyCount == 4 {
                    let four = order.dotFour(q, UnsafePointer(widened), rowStride: d, count: d)
                    for i in 0..<4 { score(head)[position + i] = four[i] * scale }
                } else {
                    for i in 0..<keyCount {
                        score(head)[position + i] = order.dot(q, UnsafePointer(widened + i * d), count: d) * scale
                    }
                }
            }
            position += keyCount
        }
        for head in 0..<heads {
            #if arch(x86_64)
            if wideKernels {
                AVX512Attention.softmax(scores + head * count, count: count)
            } else {
                softmax(scores + head * count, count: count)
            }
            #else
            softmax(scores + head * count, count: count)
            #endif
            HalfConversion.round(score(head) + first, count: last - first + 1)
        }
        // P·V with each position's term in lane `position % lanes` of every output value.
        #if arch(x86_64)
        if wideKernels {
            AVX512Attention.accumulateValues(values, offsets: UnsafeRawPointer(offsets), first: first, last: last,
                                             weights: UnsafePointer(score(0)), weightStride: count, heads: heads,
                                             lanes: lanes, count: d, into: accumulators)
            for head in 0..<heads {
                order.reduceColumns(accumulators + head * lanes * d, count: d, into: outputs + head * d)
            }
            return
        }
        #endif
        for head in 0..<heads {
            accumulateValues(values, offsets: UnsafeRawPointer(offsets), first: first, last: last,
                             weights: UnsafePointer(score(head)), lanes: lanes, count: d,
                             into: accumulators + head * lanes * d)
            order.reduceColumns(accumulators + head * lanes * d, count: d, into: outputs + head * d)
        }
    }

    /// `lanes` rows of `count` sums: row l is `Σ weights[p] · value row p` over the positions
    /// p ≡ l (mod `lanes`) in `first...last`, each added with one FMA per value in position
    /// order (the lane sums `SummationOrder.reduceColumns` combines). Lane by lane, 64 values
    /// at a time, so the sums stay in registers while the positions stream past instead of
    /// going through memory for every position; the value rows are widened on the fly.
    /// `offsets` holds the cache offset of each position's row, from `first` on.
    @inline(__always)
    static func accumulateValues(_ values: UnsafePointer<Float16>, offsets: UnsafeRawPointer, first: Int, last: Int,
                                 weights: UnsafePointer<Float>, lanes: Int, count: Int,
                                 into output: UnsafeMutablePointer<Float>) {
        let out = UnsafeMutableRawPointer(output)
        @inline(__always) func row(_ position: Int) -> UnsafeRawPointer {
            UnsafeRawPointer(values + offsets.loadUnaligned(fromByteOffset: 8 * (position - first), as: Int.self))
        }
        @inline(__always) func eight(_ row: UnsafeRawPointer, _ j: Int) -> SIMD8<Float> {
            HalfConversion.widenEight(row + 2 * j)
        }
        for lane in 0..<lanes {
            let firstOfLane = first + (lane - first % lanes + lanes) % lanes
            let laneOut = out + 4 * lane * count
            var j = 0
            while j + 64 <= count {
                var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0
                var position = firstOfLane
                while position <= last {
                    let w = SIMD8<Float>(repeating: weights[position]), v = row(position)
                    a0 = a0.addingProduct(w, eight(v, j)); a1 = a1.addingProduct(w, eight(v, j + 8))
                    a2 = a2.addingProduct(w, eight(v, j + 16)); a3 = a3.addingProduct(w, eight(v, j + 24))
                    a4 = a4.addingProduct(w, eight(v, j + 32)); a5 = a5.addingProduct(w, eight(v, j + 40))
                    a6 = a6.addingProduct(w, eight(v, j + 48)); a7 = a7.addingProduct(w, eight(v, j + 56))
                    position += lanes
                }
                laneOut.storeBytes(of: a0, toByteOffset: 4 * j, as: SIMD8<Float>.self)
                laneOut.storeBytes(of: a1, toByteOffset: 4 * (j + 8), as: SIMD8<Float>.self)
                laneOut.storeBytes(of: a2, toByteOffset: 4 * (j + 16), as: SIMD8<Float>.self)
                laneOut.storeBytes(of: a3, toByteOffset: 4 * (j + 24), as: SIMD8<Float>.self)
                laneOut.storeBytes(of: a4, toByteOffset: 4 * (j + 32), as: SIMD8<Float>.self)
                laneOut.storeBytes(of: a5, toByteOffset: 4 * (j + 40), as: SIMD8<Float>.self)
                laneOut.storeBytes(of: a6, toByteOffset: 4 * (j + 48), as: SIMD8<Float>.self)
                laneOut.storeBytes(of: a7, toByteOffset: 4 * (j + 56), as: SIMD8<Float>.self)
                j += 64
            }
            while j + 8 <= count {
                var a = SIMD8<Float>()
                var position = firstOfLane
                while position <= last {
                    a = a.addingProduct(SIMD8(repeating: weights[position]), eight(row(position), j))
                    position += lanes
                }
                laneOut.storeBytes(of: a, toByteOffset: 4 * j, as: SIMD8<Float>.self)
                j += 8
            }
            while j < count {
                var a: Float = 0
                var position = firstOfLane
                while position <= last {
                    a = a.addingProduct(weights[position], Float(row(position).load(fromByteOffset: 2 * j, as: Float16.self)))
                    position += lanes
                }
                output[lane * count + j] = a
                j += 1
            }
        }
    }

    /// Softmax of `count` scores (a multiple of 8) in place, rounding as ggml's
    /// `soft_max` does: e^(x − max) eight at a time, each group's sum added in double
    /// precision, then one multiplication by the reciprocal rounded to float.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for i in 0..<count { maximum = max(maximum, x[i]) }
        let raw = UnsafeMutableRawPointer(x)
        var sum = 0.0
        var i = 0
        while i < count {
            let e = VectorExp.exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - SIMD8(repeating: maximum))
            raw.storeBytes(of: e, toByteOffset: i * 4, as: SIMD8<Float>.self)
            sum += Double(SummationOrder.tinyBLASSum(e))
            i += 8
        }
        let inverse = Float(1 / sum)
        for i in 0..<count { x[i] *= inverse }
    }

    /// The plain-loop version of `attend`, the yardstick for tests: the same roundings
    /// and groupings written out term by term (with `expf`, so it agrees with the fast
    /// path to a few ulp rather than bit for bit).
    public static func attendReference(query q: UnsafePointer<Float>, keys: UnsafePointer<Float16>,
                                       values: UnsafePointer<Float16>, layout: PagedAttentionLayout,
                                       blockTable: UnsafePointer<Int32>, first: Int, last: Int, kvHead: Int,
                                       scale: Float, order: SummationOrder, output: UnsafeMutablePointer<Float>) {
        let d = layout.headDimension
        let lanes = order.laneCount
        func row(_ base: UnsafePointer<Float16>, _ position: Int) -> UnsafePointer<Float16> {
            base + layout.offset(block: Int(blockTable[position / layout.blockSize]), head: kvHead,
                                 slot: position % layout.blockSize)
        }
        func reduce(_ lane: [Float]) -> Float {
            lane.withUnsafeBufferPointer { order.reduce($0.baseAddress!) }
        }
        let q = (0..<d).map { Float(Float16(q[$0])) }
        var scores: [Float] = []
        for position in first...last {
            let k = row(keys, position)
            var lane = [Float](repeating: 0, count: 32)
            for j in 0..<d { lane[j % lanes] = lane[j % lanes].addingProduct(q[j], Float(k[j])) }
            scores.append(reduce(lane) * scale)
        }
        let maximum = scores.max() ?? 0
        let exps = scores.map { expf($0 - maximum) }
        var sum = 0.0
        for group in stride(from: first & ~7, through: last, by: 8) {
            var lane = [Float](repeating: 0, count: 8)
            for position in max(group, first)...min(group + 7, last) { lane[position - group] = exps[position - first] }
            sum += Double(SummationOrder.tinyBLASSum(SIMD8(lane)))
        }
        let inverse = Float(1 / sum)
        let probabilities = exps.map { Float(Float16($0 * inverse)) }
        for j in 0..<d {
            var lane = [Float](repeating: 0, count: 32)
            for position in first...last {
                let l = position % lanes
                lane[l] = lane[l].addingProduct(Float(row(values, position)[j]), probabilities[position - first])
            }
            output[j] = reduce(lane)
        }
    }
}
