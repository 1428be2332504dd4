#if arch(x86_64)
import _Builtin_intrinsics.intel

/// The float work of attention with 512-bit vectors: the same operations per value as the
/// AVX2 code in `PagedAttention` (ApusKernels), on two key rows or sixteen values per
/// instruction, so the same bits (`PagedAttention` calls these only on the wide paths).
///
/// Q·K in the `matrix` summation order: each key's dot keeps eight float lanes, lane l adding
/// `q[8i + l]·k[8i + l]` with one FMA per chunk i, then tinyBLAS's tree; here two keys share
/// one vector (key 0 in the low eight lanes, key 1 in the high), so each key's lanes see the
/// same FMAs in the same order. P·V: every output value's sum is one FMA per position in
/// position order, whatever the vector width.
public enum AVX512Attention {
    /// The scores of `heads` queries (rows of `count` floats, a multiple of eight, at
    /// `queries`) against four key rows of half floats: each the `matrix`-order dot times
    /// `scale`, stored at `scores + h·headStride + 0…3`. Each key chunk is widened once, in
    /// registers, for up to four heads.
    public static func scoreFour(_ k0: UnsafeRawPointer, _ k1: UnsafeRawPointer, _ k2: UnsafeRawPointer,
                                 _ k3: UnsafeRawPointer, queries: UnsafePointer<Float>, heads: Int, count: Int,
                                 scale: Float, scores: UnsafeMutablePointer<Float>, headStride: Int) {
        var head = 0
        while head < heads {
            let group = min(4, heads - head)
            let q = queries + head * count, out = scores + head * headStride
            switch group {
            case 1: scorePass(k0, k1, k2, k3, q, heads: 1, count, scale, out, headStride)
            case 2: scorePass(k0, k1, k2, k3, q, heads: 2, count, scale, out, headStride)
            case 3: scorePass(k0, k1, k2, k3, q, heads: 3, count, scale, out, headStride)
            default: scorePass(k0, k1, k2, k3, q, heads: 4, count, scale, out, headStride)
            }
            head += group
        }
    }

    /// `scoreFour` for one group of `heads` (1…4, a constant after inlining) heads.
    @inline(__always)
    private static func scorePass(_ k0: UnsafeRawPointer, _ k1: UnsafeRawPointer, _ k2: UnsafeRawPointer,
                                  _ k3: UnsafeRawPointer, _ queries: UnsafePointer<Float>, heads: Int, _ count: Int,
                                  _ scale: Float, _ scores: UnsafeMutablePointer<Float>, _ headStride: Int) {
        var a01 = _mm512_setzero_ps(), a23 = a01, b01 = a01, b23 = a01, c01 = a01, c23 = a01, d01 = a01, d23 = a01
        let q = UnsafeRawPointer(queries)
        @inline(__always) func halves(_ row: UnsafeRawPointer, _ i: Int) -> __m128i {
            _mm_loadu_si128(row.advanced(by: 2 * i).assumingMemoryBound(to: __m128i_u.self))
        }
        @inline(__always) func query(_ h: Int, _ i: Int) -> __m512 {
            _mm512_broadcast_f32x8(_mm256_loadu_ps(q.advanced(by: 4 * (h * count + i)).assumingMemoryBound(to: Float.self)))
        }
        var i = 0
        while i < count {
            // Keys 0 and 1's values 8i…8i + 7 in the low and high lanes, then keys 2 and 3's.
            let keys01 = _mm512_cvtph_ps(_mm256_set_m128i(halves(k1, i), halves(k0, i)))
            let keys23 = _mm512_cvtph_ps(_mm256_set_m128i(halves(k3, i), halves(k2, i)))
            let x0 = query(0, i)
            a01 = _mm512_fmadd_ps(x0, keys01, a01); a23 = _mm512_fmadd_ps(x0, keys23, a23)
            if heads > 1 { let x = query(1, i); b01 = _mm512_fmadd_ps(x, keys01, b01); b23 = _mm512_fmadd_ps(x, keys23, b23) }
            if heads > 2 { let x = query(2, i); c01 = _mm512_fmadd_ps(x, keys01, c01); c23 = _mm512_fmadd_ps(x, keys23, c23) }
            if heads > 3 { let x = query(3, i); d01 = _mm512_fmadd_ps(x, keys01, d01); d23 = _mm512_fmadd_ps(x, keys23, d23) }
            i += 8
        }
        let scaleVector = _mm_set1_ps(scale)
        _mm_storeu_ps(scores, _mm_mul_ps(fourSums(a01, a23), scaleVector))
        if heads > 1 { _mm_storeu_ps(scores + headStride, _mm_mul_ps(fourSums(b01, b23), scaleVector)) }
        if heads > 2 { _mm_storeu_ps(scores + 2 * headStride, _mm_mul_ps(fourSums(c01, c23), scaleVector)) }
        if heads > 3 { _mm_storeu_ps(scores + 3 * headStride, _mm_mul_ps(fourSums(d01, d23), scaleVector)) }
    }

    /// tinyBLAS's tree for four keys' eight lanes at once (keys 0, 1 in `acc01`'s low and high
    /// lanes, keys 2, 3 in `acc23`'s): lanes l + l⁺⁴ in each key's eight, then the four keys'
    /// t0…t3 side by side, then (t0 + t2), (t1 + t3), then their sum; the four sums in order.
    @inline(__always)
    static func fourSums(_ acc01: __m512, _ acc23: __m512) -> __m128 {
        // Lane indices: `_mm512_set_epi32` lists lane 15 first.
        let swapQuads = _mm512_set_epi32(11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4)
        let gather = _mm512_set_epi32(27, 26, 25, 24, 19, 18, 17, 16, 11, 10, 9, 8, 3, 2, 1, 0)
        let swapPairs = _mm512_set_epi32(13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2)
        let swapNeighbours = _mm512_set_epi32(14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1)
        let firsts = _mm512_set_epi32(12, 8, 4, 0, 12, 8, 4, 0, 12, 8, 4, 0, 12, 8, 4, 0)
        let t01 = _mm512_add_ps(acc01, _mm512_permutexvar_ps(swapQuads, acc01))
        let t23 = _mm512_add_ps(acc23, _mm512_permutexvar_ps(swapQuads, acc23))
        let t = _mm512_permutex2var_ps(t01, gather, t23)
        let u = _mm512_add_ps(t, _mm512_permutexvar_ps(swapPairs, t))
        let sums = _mm512_add_ps(u, _mm512_permutexvar_ps(swapNeighbours, u))
        return _mm512_castps512_ps128(_mm512_permutexvar_ps(firsts, sums))
    }

    /// As `PagedAttention.softmax`: `count` scores (a multiple of eight) in place, e^(x − max)
    /// by `exp`, each group of eight summed in tinyBLAS's tree and added in double precision
    /// in order, then one multiplication by the reciprocal rounded to float.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(x)
        var maximum = -Float.infinity
        var i = 0
        if count >= 16 {
            var m = _mm512_set1_ps(-Float.infinity)
            while i + 16 <= count {
                m = _mm512_max_ps(m, _mm512_loadu_ps(raw + 4 * i))
                i += 16
            }
            maximum = _mm512_reduce_max_ps(m)
        }
        while i < count {
            maximum = x[i] > maximum ? x[i] : maximum
            i += 1
        }
        let shift = _mm512_set1_ps(maximum)
        var sum = 0.0
        i = 0
        while i + 16 <= count {
            let e = exp(_mm512_sub_ps(_mm512_loadu_ps(raw + 4 * i), shift))
            _mm512_storeu_ps(raw + 4 * i, e)
            sum += Double(Wide.horizontalSum(Wide.lowHalf(e)))
            sum += Double(Wide.horizontalSum(Wide.highHalf(e)))
            i += 16
        }
        if i < count {  // the last group of eight
            let e = Wide.lowHalf(exp(_mm512_castps256_ps512(_mm256_sub_ps(_mm256_loadu_ps(x + i), Wide.lowHalf(shift)))))
            _mm256_storeu_ps(x + i, e)
            sum += Double(Wide.horizontalSum(e))
        }
        let inverse = _mm512_set1_ps(Float(1 / sum))
        i = 0
        while i + 16 <= count {
            _mm512_storeu_ps(raw + 4 * i, _mm512_mul_ps(_mm512_loadu_ps(raw + 4 * i), inverse))
            i += 16
        }
        if i < count { _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), Wide.lowHalf(inverse))) }
    }

    /// `VectorExp.exp` on sixteen lanes: the same operations lane by lane (ggml's range
    /// reduction, degree-5 polynomial and two-step scaling for |n| > 126), so the same bits.
    @inline(__always)
    static func exp(_ x: __m512) -> __m512 {
        @inline(__always) func c(_ value: Float) -> __m512 { _mm512_set1_ps(value) }
        @inline(__always) func bits(_ value: UInt32) -> __m512i { _mm512_set1_epi32(Int32(bitPattern: value)) }
        let shifter = c(0x1.8p23)
        let z = _mm512_fmadd_ps(x, c(0x1.715476p+0), shifter)
        let n = _mm512_sub_ps(z, shifter)
        let negativeN = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(n), bits(0x8000_0000)))  // −n, sign flipped
        let b = _mm512_fmadd_ps(negativeN, c(0x1.7f7d1cp-20), _mm512_fmadd_ps(negativeN, c(0x1.62e4p-1), x))
        let e = _mm512_slli_epi32(_mm512_castps_si512(z), 23)
        let k = _mm512_castsi512_ps(_mm512_add_epi32(e, bits(Float(1).bitPattern)))
        let u = _mm512_mul_ps(b, b)
        let odd = _mm512_fmadd_ps(c(0x1.0e4020p-7), b, c(0x1.573e2ep-5))
        let even = _mm512_fmadd_ps(c(0x1.555e66p-3), b, c(0x1.fffdb6p-2))
        let j = _mm512_fmadd_ps(_mm512_fmadd_ps(odd, u, even), u, _mm512_mul_ps(c(0x1.ffffecp-1), b))
        let magnitude = _mm512_and_si512(_mm512_castps_si512(n), bits(0x7fff_ffff))
        // |n| > 126 and |n| > 192 as integer tests on the (non-negative) magnitude's bits: the
        // sign of (bits(126) − bits(|n|)).
        let signBit = bits(0x8000_0000)
        let large = _mm512_test_epi32_mask(_mm512_sub_epi32(bits(Float(126).bitPattern), magnitude), signBit)
        let normal = _mm512_fmadd_ps(j, k, k)
        if large == 0 { return normal }
        let huge = _mm512_test_epi32_mask(_mm512_sub_epi32(bits(Float(192).bitPattern), magnitude), signBit)
        // n ≤ 0: its bits are negative as an integer, or zero.
        let nBits = _mm512_castps_si512(n)
        let notPositive = _mm512_test_epi32_mask(_mm512_or_si512(nBits, _mm512_sub_epi32(nBits, bits(1))), signBit)
        let g = _mm512_maskz_mov_epi32(notPositive, bits(0x8200_0000))
        let s1 = _mm512_castsi512_ps(_mm512_add_epi32(g, bits(0x7f00_0000)))
        let s2 = _mm512_castsi512_ps(_mm512_sub_epi32(e, g))
        let scaled = _mm512_mask_blend_ps(large, normal, _mm512_mul_ps(_mm512_fmadd_ps(s2, j, s2), s1))
        return _mm512_mask_blend_ps(huge, scaled, _mm512_mul_ps(s1, s1))
    }


    /// As `PagedAttention.accumulateValues`, for `heads` heads at once (head h's weights at
    /// `weights + h·weightStride`, its `lanes` rows of `count` sums at
    /// `output + h·lanes·count`): row l of a head is the sum of its `weights[p]`·(value row p,
    /// widened) over positions p ≡ l (mod `lanes`) in `first...last`, one FMA per value and
    /// position in position order. Value row p is at `values` (half floats) plus the element
    /// offset stored as an Int at `offsets + 8·(p − first)`. Each value row is widened once
    /// for up to three heads.
    public static func accumulateValues(_ values: UnsafeRawPointer, offsets: UnsafeRawPointer, first: Int, last: Int,
                                        weights: UnsafePointer<Float>, weightStride: Int, heads: Int, lanes: Int,
                                        count: Int, into output: UnsafeMutablePointer<Float>) {
        var head = 0
        while head < heads {
            let group = min(3, heads - head)
            let w = weights + head * weightStride, out = output + head * lanes * count
            switch group {
            case 1: valuePasses(values, offsets, first, last, w, weightStride, heads: 1, lanes, count, out)
            case 2: valuePasses(values, offsets, first, last, w, weightStride, heads: 2, lanes, count, out)
            default: valuePasses(values, offsets, first, last, w, weightStride, heads: 3, lanes, count, out)
            }
            head += group
        }
    }

    /// `accumulateValues` for one group of `heads` (1…3, a constant after inlining) heads.
    @inline(__always)
    private static func valuePasses(_ values: UnsafeRawPointer, _ offsets: UnsafeRawPointer, _ first: Int, _ last: Int,
                                    _ weights: UnsafePointer<Float>, _ weightStride: Int, heads: Int, _ lanes: Int,
                                    _ count: Int, _ output: UnsafeMutablePointer<Float>) {
        let out = UnsafeMutableRawPointer(output)
        @inline(__always) func row(_ position: Int) -> UnsafeRawPointer {
            values + 2 * offsets.loadUnaligned(fromByteOffset: 8 * (position - first), as: Int.self)
        }
        @inline(__always) func sixteen(_ row: UnsafeRawPointer, _ j: Int) -> __m512 {
            _mm512_cvtph_ps(_mm256_loadu_si256(row.advanced(by: 2 * j).assumingMemoryBound(to: __m256i_u.self)))
        }
        @inline(__always) func weight(_ h: Int, _ position: Int) -> __m512 { _mm512_set1_ps(weights[h * weightStride + position]) }
        for lane in 0 ..< lanes {
            let firstOfLane = first + (lane - first % lanes + lanes) % lanes
            @inline(__always) func laneOut(_ h: Int, _ j: Int) -> UnsafeMutableRawPointer { out + 4 * ((h * lanes + lane) * count + j) }
            var j = 0
            while j + 64 <= count {
                var a00 = _mm512_setzero_ps(), a01 = a00, a02 = a00, a03 = a00
                var a10 = a00, a11 = a00, a12 = a00, a13 = a00
                var a20 = a00, a21 = a00, a22 = a00, a23 = a00
                var position = firstOfLane
                while position <= last {
                    let v = row(position)
                    let v0 = sixteen(v, j), v1 = sixteen(v, j + 16), v2 = sixteen(v, j + 32), v3 = sixteen(v, j + 48)
                    let w0 = weight(0, position)
                    a00 = _mm512_fmadd_ps(w0, v0, a00); a01 = _mm512_fmadd_ps(w0, v1, a01)
                    a02 = _mm512_fmadd_ps(w0, v2, a02); a03 = _mm512_fmadd_ps(w0, v3, a03)
                    if heads > 1 {
                        let w1 = weight(1, position)
                        a10 = _mm512_fmadd_ps(w1, v0, a10); a11 = _mm512_fmadd_ps(w1, v1, a11)
                        a12 = _mm512_fmadd_ps(w1, v2, a12); a13 = _mm512_fmadd_ps(w1, v3, a13)
                    }
                    if heads > 2 {
                        let w2 = weight(2, position)
                        a20 = _mm512_fmadd_ps(w2, v0, a20); a21 = _mm512_fmadd_ps(w2, v1, a21)
                        a22 = _mm512_fmadd_ps(w2, v2, a22); a23 = _mm512_fmadd_ps(w2, v3, a23)
                    }
                    position += lanes
                }
                @inline(__always) func store(_ h: Int, _ a0: __m512, _ a1: __m512, _ a2: __m512, _ a3: __m512) {
                    let o = laneOut(h, j)
                    _mm512_storeu_ps(o, a0); _mm512_storeu_ps(o + 64, a1)
                    _mm512_storeu_ps(o + 128, a2); _mm512_storeu_ps(o + 192, a3)
                }
                store(0, a00, a01, a02, a03)
                if heads > 1 { store(1, a10, a11, a12, a13) }
                if heads > 2 { store(2, a20, a21, a22, a23) }
                j += 64
            }
            while j + 16 <= count {
                var a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0
                var position = firstOfLane
                while position <= last {
                    let v = sixteen(row(position), j)
                    a0 = _mm512_fmadd_ps(weight(0, position), v, a0)
                    if heads > 1 { a1 = _mm512_fmadd_ps(weight(1, position), v, a1) }
                    if heads > 2 { a2 = _mm512_fmadd_ps(weight(2, position), v, a2) }
                    position += lanes
                }
                _mm512_storeu_ps(laneOut(0, j), a0)
                if heads > 1 { _mm512_storeu_ps(laneOut(1, j), a1) }
                if heads > 2 { _mm512_storeu_ps(laneOut(2, j), a2) }
                j += 16
            }
            while j < count {
                // Scalar FMAs through intrinsics (the one-value form of the same operation).
                for h in 0 ..< heads {
                    var a = _mm_setzero_ps()
                    var position = firstOfLane
                    while position <= last {
                        let half = _mm_cvtsi32_si128(Int32(row(position).loadUnaligned(fromByteOffset: 2 * j, as: UInt16.self)))
                        a = _mm_fmadd_ss(_mm_set_ss(weights[h * weightStride + position]), _mm_cvtph_ps(half), a)
                        position += lanes
                    }
                    output[(h * lanes + lane) * count + j] = _mm_cvtss_f32(a)
                }
                j += 1
            }
        }
    }
}
#endif
