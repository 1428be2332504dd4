import ApusCore

/// Matrix-vector and matrix-matrix products of quantized weights with quantized activations.
///
/// `output[t·rows + r] = dot(weights row r, activations row t)`: weights are `rows ×
/// columns`, activations `tokens × columns` (already quantized for the weight type),
/// output `tokens × rows` Float32, row-major.
///
/// Work is split into blocks of weight rows spread over the pool. Within a block every
/// token row is dotted against the block's rows before moving on, so a block of weights
/// (tens of KB) is read from memory once and then served from cache to all tokens. Formats
/// with a batched kernel (`BatchedProduct`) unpack a block of rows once and dot it against
/// tokens eight at a time when there are at least `minimumBatchedTokens`.
public enum MatMul {
    /// Fewer tokens than this go to single dots even where a batched kernel exists: its
    /// eight-token groups, padded, would cost more.
    static let minimumBatchedTokens = 4

    /// Computes the product on `pool` with the fast kernels.
    public static func multiply(_ weights: WeightMatrix, _ activations: QuantizedActivations,
                                into output: UnsafeMutablePointer<Float>, pool: ThreadPool) throws(KernelError) {
        try check(weights, activations)
        let job = Job(weights: weights, activations: activations, output: output, threads: pool.threadCount)
        switch weights.type {
        case .f32: job.run(F32Format.self, pool)
        case .f16: job.run(F16Format.self, pool)
        case .bf16: job.run(BF16Format.self, pool)
        case .q4_0: job.run(Q4_0Format.self, pool)
        case .q4_1: job.run(Q4_1Format.self, pool)
        case .q5_0: job.run(Q5_0Format.self, pool)
        case .q5_1: job.run(Q5_1Format.self, pool)
        case .q8_0: job.run(Q8_0Format.self, pool)
        case .q8_1: job.run(Q8_1Format.self, pool)
        case .q2_K: job.run(Q2_KFormat.self, pool)
        case .q3_K: job.run(Q3_KFormat.self, pool)
        case .q4_K: job.run(Q4_KFormat.self, pool)
        case .q5_K: job.run(Q5_KFormat.self, pool)
        case .q6_K: job.run(Q6_KFormat.self, pool)
        case .q8_K: job.run(Q8_KFormat.self, pool)
        default: throw .unsupportedWeightType(weights.type)
        }
    }

    /// The same product with the scalar reference dot, one row at a time on the calling
    /// thread: the yardstick the fast path is tested against.
    public static func multiplyReference(_ weights: WeightMatrix, _ activations: QuantizedActivations,
                                         into output: UnsafeMutablePointer<Float>) throws(KernelError) {
        try check(weights, activations)
        let done: Void? = KernelDispatch.withFormat(weights.type) { format in
            for token in 0..<activations.tokens {
                for row in 0..<weights.rows {
                    output[token * weights.rows + row] = format.dotReference(weights.row(row), activations.row(token), count: weights.columns)
                }
            }
        }
        guard done != nil else { throw .unsupportedWeightType(weights.type) }
    }

    private static func check(_ weights: WeightMatrix, _ activations: QuantizedActivations) throws(KernelError) {
        let expected = weights.type.traits.dotActivationType ?? .f32
        guard activations.type == expected, activations.columns == weights.columns else {
            throw .activationMismatch(expected: expected, columns: weights.columns,
                                      found: activations.type, foundColumns: activations.columns)
        }
    }

    /// One product, cut into tasks of `rowsPerTask` weight rows.
    struct Job {
        let weights: WeightMatrix
        let activations: UnsafeRawPointer
        let activationRowBytes: Int
        let tokens: Int
        let output: UnsafeMutablePointer<Float>
        let rowsPerTask: Int
        let threads: Int

        init(weights: WeightMatrix, activations: QuantizedActivations, output: UnsafeMutablePointer<Float>, threads: Int) {
            self.weights = weights
            self.activations = activations.row(0)
            activationRowBytes = activations.rowBytes
            tokens = activations.tokens
            self.output = output
            self.threads = threads
            rowsPerTask = Self.rowsPerTask(rows: weights.rows, rowBytes: weights.rowBytes, tokens: tokens, threads: threads)
        }

        /// Enough tasks per thread (≥ 8) for the atomic task counter to even out uneven
        /// progress; with several tokens, blocks also kept under ~32 KB so they stay in L1/L2
        /// while every token passes over them; a multiple of four rows where possible, for
        /// `dotFourRows`.
        static func rowsPerTask(rows: Int, rowBytes: Int, tokens: Int, threads: Int) -> Int {
            var size = max(1, rows / (8 * max(1, threads)))
            if tokens > 1 { size = min(size, max(1, 32_768 / max(1, rowBytes))) }
            size = min(size, 256)
            return size >= 4 ? size & ~3 : size
        }

        /// Rows per task for a batched kernel: its fixed costs per task (tabulating the tokens
        /// once per group of eight for all the task's rows) want many rows; its unpacked rows
        /// want to stay near L1 while a span of tokens passes over them: about 128 KB of weights
        /// per task (measured against 64, 256, 512 and 1024 KB), and at least four tasks per thread.
        /// A multiple of eight rows where possible, for kernels that interleave eight rows.
        static func batchedRowsPerTask(rows: Int, rowBytes: Int, threads: Int) -> Int {
            let size = min(max(1, rows / (4 * max(1, threads))), max(1, 131_072 / max(1, rowBytes)))
            return size >= 8 ? size & ~7 : size
        }

        func run<F: QuantFormat>(_ format: F.Type, _ pool: ThreadPool) {
            forEachRowBlock(pool, rowsPerTask: rowsPerTask) { first, last in
                BatchedSingleDots.multiply(F.self, weights, rows: first..<last, activations, activationRowBytes,
                                           tokens: tokens, into: output)
            }
        }

        /// For formats with a batched kernel: the format handles a block of rows for all tokens.
        func run<F: BatchedProduct>(_ format: F.Type, _ pool: ThreadPool) {
            let batched = tokens >= MatMul.minimumBatchedTokens
            #if arch(x86_64)
            if InstructionSet.active.hasWideKernels, let wide = F.self as? any WideBatchedProduct.Type,
               tokens >= wide.wideMinimumTokens {
                // Sixteen-row groups for the AVX-512 kernels that interleave rows.
                var size = Self.batchedRowsPerTask(rows: weights.rows, rowBytes: weights.rowBytes, threads: threads)
                if size >= 16 { size &= ~15 }
                forEachRowBlock(pool, rowsPerTask: size) { first, last in
                    wide.multiplyAVX512(weights, rows: first..<last, activations, activationRowBytes: activationRowBytes,
                                        tokens: tokens, into: output)
                }
                return
            }
            #endif
            let size = batched ? Self.batchedRowsPerTask(rows: weights.rows, rowBytes: weights.rowBytes, threads: threads) : rowsPerTask
            forEachRowBlock(pool, rowsPerTask: size) { first, last in
                F.multiply(weights, rows: first..<last, activations, activationRowBytes: activationRowBytes,
                           tokens: tokens, into: output)
            }
        }

        /// Runs `body(firstRow, endRow)` for every block of `rowsPerTask` rows on the pool.
        @inline(__always)
        private func forEachRowBlock(_ pool: ThreadPool, rowsPerTask: Int, _ body: (Int, Int) -> Void) {
            let rows = weights.rows
            guard rows > 0, tokens > 0 else { return }
            let tasks = (rows + rowsPerTask - 1) / rowsPerTask
            pool.run(tasks: tasks) { task in
                let first = task * rowsPerTask
                body(first, min(rows, first + rowsPerTask))
            }
        }
    }
}

/// Every (row, token) pair of a block of rows by single dots, four rows at a time
/// (`dotFourRows`): the product for formats without a batched kernel, for matrix-vector
/// products, and for the tokens a batched kernel leaves over.
enum BatchedSingleDots {
    @inline(__always)
    static func multiply<F: QuantFormat>(_ format: F.Type, _ weights: WeightMatrix, rows: Range<Int>,
                                         _ activations: UnsafeRawPointer, _ stride: Int, tokens: Int,
                                         into output: UnsafeMutablePointer<Float>, firstToken: Int = 0) {
        for token in firstToken..<tokens {
            let x = activations + token * stride
            let y = output + token * weights.rows
            // The four rows of a call are a quarter of the block apart: four sequential
            // streams in different pages, which the hardware prefetcher follows (it tracks
            // one stream per 4 KB page; four adjacent short rows would share a page).
            let quarter = rows.count / 4
            for row in rows.lowerBound..<(rows.lowerBound + quarter) {
                let four = F.dotFourRows(weights.row(row), rowBytes: quarter * weights.rowBytes, x, count: weights.columns)
                for r in 0..<4 { y[row + r * quarter] = four[r] }
            }
            for row in (rows.lowerBound + 4 * quarter)..<rows.upperBound {
                y[row] = F.dot(weights.row(row), x, count: weights.columns)
            }
        }
    }
}
