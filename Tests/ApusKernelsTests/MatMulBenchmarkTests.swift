import ApusCore
import ApusKernels
import Testing

@Suite("Kernel benchmark support")
struct MatMulBenchmarkTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(KernelBenchmark.median([3, 1, 2]) == 2)
        #expect(KernelBenchmark.median([4, 1, 3, 2]) == 2.5)
        #expect(KernelBenchmark.median([]) == 0)
    }

    /// Benchmark weights of every supported type must be valid rows: finite products that
    /// agree with the reference (this also checks the table of half-field offsets).
    @Test func benchmarkWeightsAreValidForEveryType() throws {
        let pool = try ThreadPool(threadCount: 2)
        let types = GGMLType.allCases.filter { KernelDispatch.supports($0) }
        #expect(types.count == 15)
        for type in types {
            let columns = 512
            let weights = try BenchmarkWeights(type: type, rows: 70, columns: columns, minimumBytes: 1 << 20)
            #expect(weights.copies * weights.matrixBytes >= 1 << 20)
            let input = (0..<(3 * columns)).map { Float($0 % 17) / 17 - 0.5 }
            let activations = try QuantizedActivations(tokens: 3, columns: columns, for: type)
            try input.withUnsafeBufferPointer { try activations.quantize($0.baseAddress!, tokens: 3, columns: columns, for: type) }
            var fast = [Float](repeating: 0, count: 3 * 70)
            var reference = [Float](repeating: 0, count: 3 * 70)
            let matrix = weights.matrix(weights.copies - 1)
            try fast.withUnsafeMutableBufferPointer { try MatMul.multiply(matrix, activations, into: $0.baseAddress!, pool: pool) }
            try reference.withUnsafeMutableBufferPointer { try MatMul.multiplyReference(matrix, activations, into: $0.baseAddress!) }
            #expect(fast.allSatisfy { $0.isFinite }, "\(type) gave non-finite results")
            let scale = max(1, reference.map(abs).max() ?? 1)
            let worst = zip(fast, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * scale, "\(type): worst difference \(worst)")
        }
    }

    /// Every stream count reads the whole buffer: a plausible figure, one stream or four.
    @Test func readBandwidthWithOneAndFourStreams() throws {
        let pool = try ThreadPool(threadCount: 2)
        for streams in [1, 4] {
            let bandwidth = KernelBenchmark.readBandwidth(bytes: 8 << 20, pool: pool, repeats: 2, streams: streams)
            #expect(bandwidth.isFinite && bandwidth > 0.1 && bandwidth < 10_000, "\(streams) streams: \(bandwidth) GB/s")
        }
    }

    @Test func measuresSomething() throws {
        let pool = try ThreadPool(threadCount: 1)
        let weights = try BenchmarkWeights(type: .q4_0, rows: 64, columns: 256, minimumBytes: 1 << 16)
        let result = try KernelBenchmark.measure(weights, tokens: 2, pool: pool, repeats: 3)
        #expect(result.medianSeconds > 0)
        #expect(result.gflopsPerSecond > 0)
        #expect(result.type == "Q4_0" && result.tokens == 2 && result.rows == 64)
    }
}
