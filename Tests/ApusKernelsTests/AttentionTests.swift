import ApusKernels
import Foundation
import Testing

/// The attention kernels and the numerics they copy from llama.cpp: the vector e^x, the
/// two summation orders, and the fast attention against its plain-loop reference.
@Suite("Attention", .serialized)
struct AttentionTests {
    /// Units in the last place between two floats of the same sign.
    static func ulps(_ a: Float, _ b: Float) -> Int {
        abs(Int(Int32(bitPattern: a.bitPattern)) - Int(Int32(bitPattern: b.bitPattern)))
    }

    @Test func vectorExpTracksExpf() {
        var generator = SystemRandomNumberGenerator()
        var worst = 0
        for _ in 0..<20_000 {
            let x = SIMD8<Float>((0..<8).map { _ in Float.random(in: -87...88, using: &generator) })
            let e = VectorExp.exp(x)
            for i in 0..<8 { worst = max(worst, Self.ulps(e[i], expf(x[i]))) }
        }
        #expect(worst <= 2, "worst \(worst) ulp")
    }

    @Test func vectorExpEdges() {
        let x = SIMD8<Float>(0, -.infinity, -200, -100, -95, 89, 100, -0.0)
        let e = VectorExp.exp(x)
        #expect(e[0] == 1 && e[7] == 1)
        #expect(e[1] == 0 && e[2] == 0)
        // −100 and −95 need the two-step scaling (2^n below the normal range): subnormal results.
        #expect(Self.ulps(e[3], expf(-100)) <= 2 && e[3] > 0)
        #expect(Self.ulps(e[4], expf(-95)) <= 2)
        #expect(e[5] == .infinity && e[6] == .infinity)
    }

    /// A dot product whose rounding depends on the grouping: the two orders must each
    /// equal their tree written out by hand.
    @Test(arguments: [SummationOrder.matrix, .vector])
    func summationOrderDotMatchesItsTree(order: SummationOrder) {
        let count = 64
        let a: [Float] = (0..<count).map { i -> Float in Float(sin(Double(i) * 1.7) * 1e3) }
        let b: [Float16] = (0..<count).map { i -> Float16 in Float16(Float(cos(Double(i) * 0.3) * 1e-2)) }
        var lanes = [Float](repeating: 0, count: 32)
        for i in 0..<count { lanes[i % order.laneCount] = lanes[i % order.laneCount].addingProduct(a[i], Float(b[i])) }
        let expected: Float
        if order == .matrix {
            let t: [Float] = (0..<4).map { i -> Float in lanes[i] + lanes[i + 4] }
            expected = (t[0] + t[2]) + (t[1] + t[3])
        } else {
            let w: [Float] = (0..<8).map { i -> Float in (lanes[i] + lanes[i + 16]) + (lanes[i + 8] + lanes[i + 24]) }
            let t: [Float] = (0..<4).map { i -> Float in w[i] + w[i + 4] }
            expected = (t[0] + t[1]) + (t[2] + t[3])
        }
        let widened = b.map { Float($0) }
        let got = a.withUnsafeBufferPointer { pa in widened.withUnsafeBufferPointer { pb in
            order.dot(pa.baseAddress!, pb.baseAddress!, count: count)
        } }
        #expect(got == expected)
    }

    /// Fast attention against the reference over block tables with scattered blocks,
    /// sliding windows and both orders.
    /// Head dimensions 40 and 200 take the kernels' remainder paths (not a multiple of 32
    /// for the dots; 200 = 3 · 64 + 8 and 40 = 5 · 8 for the value sums).
    @Test(arguments: [SummationOrder.matrix, .vector], [64, 40, 200])
    func attendMatchesReference(order: SummationOrder, headDimension d: Int) {
        let layout = PagedAttentionLayout(blockSize: 16, kvHeads: 2, headDimension: d)
        let blocks = 8
        var generator = SystemRandomNumberGenerator()
        let keys = (0..<blocks * layout.elementsPerBlock).map { _ in Float16(Float.random(in: -2...2, using: &generator)) }
        let values = (0..<blocks * layout.elementsPerBlock).map { _ in Float16(Float.random(in: -2...2, using: &generator)) }
        let table: [Int32] = [5, 2, 7, 0, 3, 1, 6, 4]
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: PagedAttention.scratchCount(contextLength: 128, headDimension: d))
        defer { scratch.deallocate() }
        for (first, last) in [(0, 0), (0, 1), (0, 37), (3, 40), (9, 127), (120, 127)] {
            let query = (0..<d).map { _ in Float.random(in: -3...3, using: &generator) }
            var fast = [Float](repeating: 0, count: d), slow = [Float](repeating: 0, count: d)
            var q = query
            keys.withUnsafeBufferPointer { k in values.withUnsafeBufferPointer { v in table.withUnsafeBufferPointer { t in
                PagedAttention.attend(query: &q, keys: k.baseAddress!, values: v.baseAddress!, layout: layout,
                                      blockTable: t.baseAddress!, first: first, last: last, kvHead: 1, scale: 0.125,
                                      order: order, scratch: scratch, output: &fast)
                PagedAttention.attendReference(query: query, keys: k.baseAddress!, values: v.baseAddress!, layout: layout,
                                               blockTable: t.baseAddress!, first: first, last: last, kvHead: 1,
                                               scale: 0.125, order: order, output: &slow)
            } } }
            for j in 0..<d {
                // The reference takes e^x from expf: probabilities may differ by an ulp.
                #expect(abs(fast[j] - slow[j]) <= 1e-3 * max(1, abs(slow[j])), "\(first)...\(last) [\(j)]: \(fast[j]) vs \(slow[j])")
            }
        }
    }

    /// Four dots at once equal four single dots bit for bit, in both orders, with and
    /// without the vector path (count a multiple of 32 or not).
    @Test(arguments: [SummationOrder.matrix, .vector], [64, 256, 40])
    func dotFourEqualsFourDots(order: SummationOrder, count: Int) {
        var generator = SeededGenerator(seed: 23)
        let a = (0..<count).map { _ in Float.random(in: -3...3, using: &generator) }
        let rows = (0..<(4 * count + 8)).map { _ in Float(Float16(Float.random(in: -2...2, using: &generator))) }
        a.withUnsafeBufferPointer { a in rows.withUnsafeBufferPointer { b in
            let stride = count + 2
            let four = order.dotFour(a.baseAddress!, b.baseAddress!, rowStride: stride, count: count)
            for i in 0..<4 {
                let single = order.dot(a.baseAddress!, b.baseAddress! + i * stride, count: count)
                #expect(four[i].bitPattern == single.bitPattern, "\(order) \(count) row \(i)")
            }
        } }
    }

    /// Grouped-query attention of several heads at once equals attending each head alone,
    /// bit for bit, for both orders and windows that start and end mid-block.
    @Test(arguments: [SummationOrder.matrix, .vector])
    func groupEqualsHeadsOneByOne(order: SummationOrder) {
        let layout = PagedAttentionLayout(blockSize: 16, kvHeads: 2, headDimension: 64)
        let blocks = 6, heads = 3
        var generator = SeededGenerator(seed: 17)
        let keys = (0..<blocks * layout.elementsPerBlock).map { _ in Float16(Float.random(in: -2...2, using: &generator)) }
        let values = (0..<blocks * layout.elementsPerBlock).map { _ in Float16(Float.random(in: -2...2, using: &generator)) }
        let table: [Int32] = [4, 1, 5, 0, 3, 2]
        let scratch = UnsafeMutablePointer<Float>.allocate(
            capacity: PagedAttention.scratchCount(contextLength: 96, headDimension: 64, heads: heads))
        defer { scratch.deallocate() }
        for (first, last) in [(0, 0), (0, 40), (5, 95), (33, 70)] {
            let queries = (0..<heads * 64).map { _ in Float.random(in: -3...3, using: &generator) }
            var grouped = queries, together = [Float](repeating: .nan, count: heads * 64)
            var alone = [Float](repeating: .nan, count: heads * 64)
            keys.withUnsafeBufferPointer { k in values.withUnsafeBufferPointer { v in table.withUnsafeBufferPointer { t in
                PagedAttention.attendGroup(queries: &grouped, heads: heads, keys: k.baseAddress!, values: v.baseAddress!,
                                           layout: layout, blockTable: t.baseAddress!, first: first, last: last, kvHead: 1,
                                           scale: 0.125, order: order, scratch: scratch, outputs: &together)
                for head in 0..<heads {
                    var q = Array(queries[(head * 64)..<((head + 1) * 64)])
                    var out = [Float](repeating: .nan, count: 64)
                    PagedAttention.attend(query: &q, keys: k.baseAddress!, values: v.baseAddress!, layout: layout,
                                          blockTable: t.baseAddress!, first: first, last: last, kvHead: 1, scale: 0.125,
                                          order: order, scratch: scratch, output: &out)
                    alone.replaceSubrange((head * 64)..<((head + 1) * 64), with: out)
                }
            } } }
            #expect(together.map(\.bitPattern) == alone.map(\.bitPattern), "\(first)...\(last)")
        }
    }

    /// Every instruction-set path (the AVX-512 attention on the wide ones) gives the same bits:
    /// head dimensions with and without remainders, one to seven heads per group, windows
    /// that start and end anywhere, both orders, and scores spread wide enough that e^x
    /// takes its two-step scaling (|n| > 126) and saturates.
    @Test(arguments: [SummationOrder.matrix, .vector], [64, 128, 256, 40, 200])
    func everyPathGivesTheSameBits(order: SummationOrder, headDimension d: Int) throws {
        let paths = InstructionSet.available
        defer { try? InstructionSet.select(.best(for: .current)) }
        let layout = PagedAttentionLayout(blockSize: 16, kvHeads: 2, headDimension: d)
        let blocks = 8
        var generator = SeededGenerator(seed: UInt64(31 + d))
        let keys = (0..<blocks * layout.elementsPerBlock).map { _ in Float16(Float.random(in: -2...2, using: &generator)) }
        let values = (0..<blocks * layout.elementsPerBlock).map { _ in Float16(Float.random(in: -2...2, using: &generator)) }
        let table: [Int32] = [5, 2, 7, 0, 3, 1, 6, 4]
        let maxHeads = 7
        let scratch = UnsafeMutablePointer<Float>.allocate(
            capacity: PagedAttention.scratchCount(contextLength: 128, headDimension: d, heads: maxHeads))
        defer { scratch.deallocate() }
        for heads in [1, 3, 4, maxHeads] {
            for (first, last) in [(0, 0), (0, 2), (0, 3), (0, 40), (5, 95), (33, 70), (0, 127)] {
                for spread: Float in [3, 60] {
                    let queries = (0..<heads * d).map { _ in Float.random(in: -spread...spread, using: &generator) }
                    var outputs: [[Float]] = []
                    for isa in paths {
                        try InstructionSet.select(isa)
                        var q = queries, out = [Float](repeating: .nan, count: heads * d)
                        keys.withUnsafeBufferPointer { k in values.withUnsafeBufferPointer { v in table.withUnsafeBufferPointer { t in
                            PagedAttention.attendGroup(queries: &q, heads: heads, keys: k.baseAddress!, values: v.baseAddress!,
                                                       layout: layout, blockTable: t.baseAddress!, first: first, last: last,
                                                       kvHead: 1, scale: 0.125, order: order, scratch: scratch, outputs: &out)
                        } } }
                        outputs.append(out)
                    }
                    for (isa, out) in zip(paths, outputs).dropFirst() {
                        let differing = (0..<heads * d).filter { out[$0].bitPattern != outputs[0][$0].bitPattern }
                        #expect(differing.isEmpty, """
                            \(isa) vs \(paths[0]): \(order) d \(d), \(heads) heads, \(first)...\(last), spread \(spread): \
                            \(differing.count) values differ, first at \(differing.first ?? -1)
                            """)
                    }
                }
            }
        }
    }

    /// Attending to one position returns that position's value (rounded through half floats).
    @Test func singlePositionReturnsItsValue() {
        let layout = PagedAttentionLayout(blockSize: 4, kvHeads: 1, headDimension: 32)
        let keys = [Float16](repeating: 0.5, count: layout.elementsPerBlock)
        let values = (0..<layout.elementsPerBlock).map { Float16(Float($0) * 0.25) }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: PagedAttention.scratchCount(contextLength: 4, headDimension: 32))
        defer { scratch.deallocate() }
        var q = [Float](repeating: 1, count: 32), out = [Float](repeating: 0, count: 32)
        let table: [Int32] = [0]
        PagedAttention.attend(query: &q, keys: keys, values: values, layout: layout, blockTable: table, first: 2, last: 2,
                              kvHead: 0, scale: 1, order: .vector, scratch: scratch, output: &out)
        #expect(out == (0..<32).map { Float(64 + $0) * 0.25 })
    }
}
