/// The grouping of a long float sum in attention, chosen to round exactly as llama.cpp's
/// CPU kernels do (its AVX2 build, the instruction set Apus targets).
///
/// A vector kernel adds term `i` into lane `i mod L` with fused multiply-adds and adds
/// the lanes at the end in a fixed tree. Float addition is not associative, so each
/// grouping gives different last bits, which 8-bit activation quantization later turns
/// into visible logit differences. llama.cpp uses two groupings for the products with the
/// half-float KV cache (Q·K over the head dimension, P·V over positions):
/// - `matrix`: its tiled matrix kernel (llamafile's tinyBLAS), taken when a batch has two
///   or more tokens: 8 lanes, added as ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)).
/// - `vector`: `ggml_vec_dot_f16`, taken for a single token: 4×8 lanes, the four vectors
///   added as (a0+a2)+(a1+a3), then ((l0+l4)+(l1+l5)) + ((l2+l6)+(l3+l7)).
public enum SummationOrder: Sendable {
    case matrix
    case vector

    /// Lanes a term is spread over: term `i` goes to lane `i % laneCount`.
    @inline(__always)
    public var laneCount: Int { self == .matrix ? 8 : 32 }

    /// Sum of `laneCount` lane totals in this order's tree.
    @inline(__always)
    func reduce(_ lanes: UnsafePointer<Float>) -> Float {
        switch self {
        case .matrix:
            return Self.tinyBLASSum(SIMD8(UnsafeBufferPointer(start: lanes, count: 8)))
        case .vector:
            let a = UnsafeRawPointer(lanes)
            let v0 = a.loadUnaligned(as: SIMD8<Float>.self), v1 = a.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            let v2 = a.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self), v3 = a.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            return Self.vecDotSum((v0 + v2) + (v1 + v3))
        }
    }

    /// `output[j]` = the lanes `lanes[l·count + j]` (l < `laneCount`) summed in this
    /// order's tree, for every j: the same as `reduce` on each column, eight columns at a time.
    @inline(__always)
    public func reduceColumns(_ lanes: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>) {
        let raw = UnsafeRawPointer(lanes), out = UnsafeMutableRawPointer(output)
        var j = 0
        while j + 8 <= count {
            @inline(__always) func lane(_ l: Int) -> SIMD8<Float> {
                raw.loadUnaligned(fromByteOffset: (l * count + j) * 4, as: SIMD8<Float>.self)
            }
            var w = (lane(0), lane(1), lane(2), lane(3), lane(4), lane(5), lane(6), lane(7))
            if self == .vector {
                // Lane l of vector k is column-lane 8k + l; vectors combine as (a0+a2)+(a1+a3).
                w = ((w.0 + lane(16)) + (lane(8) + lane(24)), (w.1 + lane(17)) + (lane(9) + lane(25)),
                     (w.2 + lane(18)) + (lane(10) + lane(26)), (w.3 + lane(19)) + (lane(11) + lane(27)),
                     (w.4 + lane(20)) + (lane(12) + lane(28)), (w.5 + lane(21)) + (lane(13) + lane(29)),
                     (w.6 + lane(22)) + (lane(14) + lane(30)), (w.7 + lane(23)) + (lane(15) + lane(31)))
                out.storeBytes(of: ((w.0 + w.4) + (w.1 + w.5)) + ((w.2 + w.6) + (w.3 + w.7)), toByteOffset: j * 4, as: SIMD8<Float>.self)
            } else {
                out.storeBytes(of: ((w.0 + w.4) + (w.2 + w.6)) + ((w.1 + w.5) + (w.3 + w.7)), toByteOffset: j * 4, as: SIMD8<Float>.self)
            }
            j += 8
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { lane in
            while j < count {
                for l in 0..<laneCount { lane[l] = lanes[l * count + j] }
                output[j] = reduce(lane.baseAddress!)
                j += 1
            }
        }
    }

    /// Dot product of `count` floats with `count` floats (key values widened from half,
    /// which is exact) in this order; `count` a multiple of 32, as every head dimension is,
    /// or a plain loop.
    @inline(__always)
    public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        guard count % 32 == 0 else {
            var sum: Float = 0
            for i in 0..<count { sum = sum.addingProduct(a[i], b[i]) }
            return sum
        }
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        @inline(__always) func product(_ acc: SIMD8<Float>, _ i: Int) -> SIMD8<Float> {
            acc.addingProduct(ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                              rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
        }
        switch self {
        case .matrix:
            var acc = SIMD8<Float>()
            var i = 0
            while i < count {
                acc = product(acc, i)
                i += 8
            }
            return Self.tinyBLASSum(acc)
        case .vector:
            var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>(), acc3 = SIMD8<Float>()
            var i = 0
            while i < count {
                acc0 = product(acc0, i)
                acc1 = product(acc1, i + 8)
                acc2 = product(acc2, i + 16)
                acc3 = product(acc3, i + 24)
                i += 32
            }
            return Self.vecDotSum((acc0 + acc2) + (acc1 + acc3))
        }
    }

    /// The dots of `a` with the four float rows at `b`, `b + rowStride`, `b + 2·rowStride`,
    /// `b + 3·rowStride`, lane i equal to `dot(a, row i, count:)` bit for bit. Four
    /// independent sums run side by side where `dot` waits on one chain of FMAs (the
    /// `matrix` order; the `vector` order already keeps four chains and goes row by row).
    @inline(__always)
    public func dotFour(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rowStride: Int, count: Int) -> SIMD4<Float> {
        guard self == .matrix, count % 32 == 0 else {
            return SIMD4(dot(a, b, count: count), dot(a, b + rowStride, count: count),
                         dot(a, b + 2 * rowStride, count: count), dot(a, b + 3 * rowStride, count: count))
        }
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), rowBytes = 4 * rowStride
        var acc0 = SIMD8<Float>(), acc1 = acc0, acc2 = acc0, acc3 = acc0
        var i = 0
        while i < count {
            let x = ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            acc0 = acc0.addingProduct(x, rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self))
            acc1 = acc1.addingProduct(x, rb.loadUnaligned(fromByteOffset: rowBytes + 4 * i, as: SIMD8<Float>.self))
            acc2 = acc2.addingProduct(x, rb.loadUnaligned(fromByteOffset: 2 * rowBytes + 4 * i, as: SIMD8<Float>.self))
            acc3 = acc3.addingProduct(x, rb.loadUnaligned(fromByteOffset: 3 * rowBytes + 4 * i, as: SIMD8<Float>.self))
            i += 8
        }
        return SIMD4(Self.tinyBLASSum(acc0), Self.tinyBLASSum(acc1), Self.tinyBLASSum(acc2), Self.tinyBLASSum(acc3))
    }

    /// ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)): tinyBLAS's `hsum`, also ggml's softmax sum.
    @inline(__always)
    static func tinyBLASSum(_ v: SIMD8<Float>) -> Float {
        let t = v.lowHalf + v.highHalf
        return (t[0] + t[2]) + (t[1] + t[3])
    }

    /// ((l0+l4)+(l1+l5)) + ((l2+l6)+(l3+l7)): the two horizontal adds ending ggml's F16 dot.
    @inline(__always)
    static func vecDotSum(_ v: SIMD8<Float>) -> Float {
        let t = v.lowHalf + v.highHalf
        return (t[0] + t[1]) + (t[2] + t[3])
    }
}
