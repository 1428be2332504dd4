#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ApusCore

/// One timed configuration of a matrix product.
public struct KernelBenchmarkResult: Sendable, Codable {
    /// Weight type name (`Q4_0`, …).
    public let type: String
    /// Weight rows and columns.
    public let rows: Int, columns: Int
    /// Threads in the pool and activation rows per product.
    public let threads: Int, tokens: Int
    /// Median wall time of one product, seconds.
    public let medianSeconds: Double
    /// Weight bytes of one matrix divided by the median time (GB/s, 10^9 bytes).
    public let weightGBPerSecond: Double
    /// `2·rows·columns·tokens` divided by the median time (GFLOP/s).
    public let gflopsPerSecond: Double
}

/// Times matrix products and memory reads for `apus bench kernels`.
public enum KernelBenchmark {
    /// Monotonic time in seconds.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }

    /// The median of `values` (0 for none).
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Times `repeats` products of `tokens` random activation rows with `weights` on `pool`,
    /// cycling through the weight copies so each product reads from memory. Activations are
    /// quantized once, outside the timing.
    public static func measure(_ weights: BenchmarkWeights, tokens: Int, pool: ThreadPool, repeats: Int) throws(KernelError) -> KernelBenchmarkResult {
        let columns = weights.columns
        let input = UnsafeMutablePointer<Float>.allocate(capacity: tokens * columns)
        defer { input.deallocate() }
        var random = SplitMix(state: 7)
        for i in 0..<(tokens * columns) { input[i] = random.nextFloat() }
        let activations = try QuantizedActivations(tokens: tokens, columns: columns, for: weights.type)
        try activations.quantize(input, tokens: tokens, columns: columns, for: weights.type, pool: pool)
        let output = UnsafeMutablePointer<Float>.allocate(capacity: tokens * weights.rows)
        defer { output.deallocate() }

        try MatMul.multiply(weights.matrix(0), activations, into: output, pool: pool)  // warm-up: page in, wake workers
        var times: [Double] = []
        for index in 0..<max(1, repeats) {
            let matrix = weights.matrix(index + 1)
            let start = now()
            try MatMul.multiply(matrix, activations, into: output, pool: pool)
            times.append(now() - start)
        }
        let seconds = median(times)
        return KernelBenchmarkResult(
            type: weights.type.description, rows: weights.rows, columns: columns,
            threads: pool.threadCount, tokens: tokens, medianSeconds: seconds,
            weightGBPerSecond: Double(weights.matrixBytes) / seconds / 1e9,
            gflopsPerSecond: 2 * Double(weights.rows) * Double(columns) * Double(tokens) / seconds / 1e9)
    }

    /// Median read bandwidth (GB/s) of summing a `bytes` buffer on all threads of `pool`.
    ///
    /// Each thread sums its part as `streams` sequential streams advanced together (a
    /// 128-byte step of each in turn), the way the four-row matrix-vector kernel reads four
    /// rows: several streams keep more cache misses in flight than one, so `streams: 4`
    /// gives the higher figure on most machines and is the ceiling to hold decoding to.
    public static func readBandwidth(bytes: Int = 1 << 30, pool: ThreadPool, repeats: Int = 5, streams: Int = 1) -> Double {
        let streams = max(1, streams)
        let parts = pool.threadCount
        // Whole 128-byte steps for every stream of every part.
        let stepWords = 16
        let streamWords = max(1, bytes / 8 / (parts * streams * stepWords)) * stepWords
        let words = streamWords * streams * parts
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        defer { buffer.deallocate() }
        for i in 0..<words { buffer[i] = UInt64(truncatingIfNeeded: i) }
        let sums = UnsafeMutablePointer<UInt64>.allocate(capacity: parts)
        defer { sums.deallocate() }
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let start = now()
            pool.run(tasks: parts) { part in
                let raw = UnsafeRawPointer(buffer + part * streams * streamWords)
                var a = SIMD4<UInt64>(), b = SIMD4<UInt64>(), c = SIMD4<UInt64>(), d = SIMD4<UInt64>()
                for step in Swift.stride(from: 0, to: streamWords, by: stepWords) {
                    for stream in 0..<streams {
                        let offset = 8 * (stream * streamWords + step)
                        a &+= raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<UInt64>.self)
                        b &+= raw.loadUnaligned(fromByteOffset: offset + 32, as: SIMD4<UInt64>.self)
                        c &+= raw.loadUnaligned(fromByteOffset: offset + 64, as: SIMD4<UInt64>.self)
                        d &+= raw.loadUnaligned(fromByteOffset: offset + 96, as: SIMD4<UInt64>.self)
                    }
                }
                // Stored so the reads cannot be optimised away.
                sums[part] = (a &+ b &+ c &+ d).wrappedSum()
            }
            times.append(now() - start)
        }
        return Double(words * 8) / median(times) / 1e9
    }

    /// Median cost (microseconds) of one `pool.run` with one empty task per thread.
    public static func forkJoinMicroseconds(pool: ThreadPool, calls: Int = 20_000) -> Double {
        var times: [Double] = []
        for _ in 0..<5 {
            let start = now()
            for _ in 0..<calls { pool.run(tasks: pool.threadCount) { _ in } }
            times.append((now() - start) / Double(calls) * 1e6)
        }
        return median(times)
    }
}
