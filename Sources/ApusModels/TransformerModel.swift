import ApusCore
import ApusGGUF
import ApusKernels
import Foundation

/// A decoder-only transformer loaded from a GGUF file: `forward(batch, cache) → logits`.
///
/// Weights stay in the mapped file; scratch buffers are sized at load for `maxBatchTokens`
/// rows, so a forward pass allocates nothing. One forward serves every sequence in the
/// batch: each matrix product covers all rows at once.
public final class TransformerModel: @unchecked Sendable {
    /// Hyperparameters from the file's metadata.
    public let hyperparameters: ModelHyperparameters
    /// The architecture's distinguishing traits.
    public let traits: ArchitectureTraits
    /// The file the weights live in (kept open: the weights are views into it).
    public let file: GGUFFile
    /// The pool the kernels run on.
    public let pool: ThreadPool
    /// Largest batch `forward` accepts.
    public let maxBatchTokens: Int
    /// Context length this instance was set up for (positions must stay below it).
    public let contextLength: Int
    let weights: ModelWeights

    /// Bytes of weights one decoding step reads (every projection matrix and the output
    /// matrix): the denominator of the memory-bandwidth ceiling on generation speed.
    public var weightBytesPerToken: Int { weights.matrixBytesPerToken }

    /// Bytes of half-float keys and values one decoding step reads with `depth` positions
    /// in the cache (sliding-window layers read at most their window).
    public func cacheBytesPerToken(depth: Int) -> Int {
        let h = hyperparameters
        return (0..<h.blockCount).reduce(0) { total, layer in
            let positions = isLocalLayer(layer) ? min(depth, h.slidingWindow ?? depth) : depth
            return total + positions * h.headCountKV * (h.keyLength + h.valueLength) * 2
        }
    }
    let scratch: ForwardScratch
    /// Largest number of rows one `forward` may ask logits for.
    public var maxLogitRows: Int { scratch.maxLogitRows }
    /// Bytes of keys and values one cached position takes over all layers (half floats).
    public var cacheBytesPerPosition: Int {
        let h = hyperparameters
        return h.blockCount * h.headCountKV * max(h.keyLength, h.valueLength) * 2 * 2
    }

    /// Loads the model in `file`.
    /// - Parameters:
    ///   - maxBatchTokens: the largest number of rows one `forward` call may carry.
    ///   - maxLogitRows: the largest number of rows that may ask for logits (defaults to all).
    ///   - contextLength: the longest sequence; defaults to the model's trained context.
    public init(file: GGUFFile, pool: ThreadPool, maxBatchTokens: Int = 512, maxLogitRows: Int? = nil,
                contextLength: Int? = nil) throws {
        let hyper = try ModelHyperparameters(metadata: file.metadata)
        traits = try ArchitectureTraits.forArchitecture(hyper.architecture)
        hyperparameters = hyper
        self.file = file
        self.pool = pool
        self.maxBatchTokens = max(1, maxBatchTokens)
        self.contextLength = min(contextLength ?? hyper.contextLength, hyper.contextLength)
        weights = try ModelWeights(file: file, hyper: hyper, traits: traits)
        scratch = ForwardScratch(hyper: hyper, maxTokens: self.maxBatchTokens,
                                 maxLogitRows: min(maxLogitRows ?? self.maxBatchTokens, self.maxBatchTokens),
                                 contextLength: self.contextLength, threads: pool.threadCount)
    }

    /// A KV cache sized for `tokens` positions in all, in blocks of `blockSize`.
    public func makeCache(tokens: Int, blockSize: Int = 16) -> PagedKVCache {
        let layout = PagedAttentionLayout(blockSize: blockSize, kvHeads: hyperparameters.headCountKV,
                                          headDimension: max(hyperparameters.keyLength, hyperparameters.valueLength))
        return PagedKVCache(layerCount: hyperparameters.blockCount, layout: layout,
                            blockCount: (tokens + blockSize - 1) / blockSize)
    }

    /// Whether layer `index` attends within the sliding window.
    func isLocalLayer(_ index: Int) -> Bool {
        guard let period = traits.globalLayerPeriod, hyperparameters.slidingWindow != nil else { return false }
        return (index + 1) % period != 0
    }

    /// Runs the model on `batch`, writing its keys and values into `cache`, and returns the
    /// logits of the rows that asked for them.
    ///
    /// Every sequence in the batch must have cache blocks reserved for its positions
    /// (`cache.reserve`). Stages, per layer: norm → QKV → (QK-norm) → RoPE → KV write →
    /// attention → output projection → residual → norm → gated FFN → residual.
    public func forward(_ batch: ForwardBatch, cache: PagedKVCache) throws -> Logits {
        let n = batch.count
        let h = hyperparameters
        try validate(batch, cache: cache)
        let d = h.embeddingLength
        let s = scratch

        embed(batch)
        computeRoPEAngles(batch)
        let tables = blockTables(batch, cache: cache)
        for (index, layer) in weights.layers.enumerated() {
            // Attention block.
            normalize(s.x, weight: layer.attentionNorm, rows: n, into: s.normed)
            try project(layer.query, s.normed, rows: n, into: s.q, bias: layer.queryBias)
            try project(layer.key, s.normed, rows: n, into: s.k, bias: layer.keyBias, reuseQuantized: true)
            try project(layer.value, s.normed, rows: n, into: s.v, bias: layer.valueBias, reuseQuantized: true)
            if let queryNorm = layer.queryNorm, let keyNorm = layer.keyNorm {
                normalizeHeads(s.q, weight: queryNorm, heads: n * h.headCount)
                normalizeHeads(s.k, weight: keyNorm, heads: n * h.headCountKV)
            }
            applyRoPE(rows: n, local: isLocalLayer(index))
            writeKeysAndValues(batch, layer: index, cache: cache, tables: tables)
            attend(batch, layer: index, cache: cache, tables: tables)
            try project(layer.attentionOutput, s.attention, rows: n, into: s.projection)
            if let post = layer.postAttentionNorm { normalize(s.projection, weight: post, rows: n, into: s.projection) }
            addInPlace(s.x, s.projection, count: n * d)

            // Feed-forward block.
            normalize(s.x, weight: layer.feedForwardNorm, rows: n, into: s.normed)
            try project(layer.gate, s.normed, rows: n, into: s.gate)
            try project(layer.up, s.normed, rows: n, into: s.up, reuseQuantized: true)
            let ff = h.feedForwardLength
            switch traits.feedForward {
            case .swiGLU: Activations.swiGLU(s.gate, s.up, count: n * ff)
            case .gegluTanh: Activations.gegluTanh(s.gate, s.up, count: n * ff)
            }
            try project(layer.down, s.gate, rows: n, into: s.projection)
            if let post = layer.postFeedForwardNorm { normalize(s.projection, weight: post, rows: n, into: s.projection) }
            addInPlace(s.x, s.projection, count: n * d)
        }
        return try outputLogits(batch)
    }
}
