import ApusEngine

/// What one request would take on this machine at the roofline — the idealized runtime of
/// "Cheaply Evaluating Inference Efficiency Metrics for Autoregressive Transformer APIs"
/// with the roofline of "LLM Inference Unveiled" — from the model's byte and FLOP counts and
/// the machine's measured read bandwidth and peak arithmetic rate. Plain numbers: `apus
/// serve` measures them when it loads the model (the server never sees tensors).
public struct RooflineModel: Sendable, Equatable {
    /// Bytes of weight matrices one engine step reads (shared by every token of the step).
    public var weightBytesPerStep: Double
    /// FLOPs of the weight matrices per token computed (2 × multiply-adds).
    public var weightFLOPsPerToken: Double
    /// Bytes of keys and values read per cached position one token attends to, all layers.
    public var cacheBytesPerPosition: Double
    /// Attention FLOPs per position one token attends to, all layers (scores and weighted sum).
    public var attentionFLOPsPerPosition: Double
    /// Measured memory read bandwidth, bytes per second.
    public var bandwidth: Double
    /// Measured peak arithmetic rate of the matrix kernels, FLOPs per second.
    public var peakFLOPs: Double

    /// A model of a machine and a model.
    public init(weightBytesPerStep: Double, weightFLOPsPerToken: Double, cacheBytesPerPosition: Double,
                attentionFLOPsPerPosition: Double, bandwidth: Double, peakFLOPs: Double) {
        self.weightBytesPerStep = weightBytesPerStep
        self.weightFLOPsPerToken = weightFLOPsPerToken
        self.cacheBytesPerPosition = cacheBytesPerPosition
        self.attentionFLOPsPerPosition = attentionFLOPsPerPosition
        self.bandwidth = bandwidth
        self.peakFLOPs = peakFLOPs
    }

    /// The idealized runtime of one engine request with `choices` choices, given the engine's
    /// counters when it was submitted and when it ended; nil when the engine counted no step
    /// in between (nothing to share the weight reads by).
    ///
    /// The weights one step reads are shared by every token computed in that step, so the
    /// request is charged the steps of its lifetime times its share of the tokens computed
    /// in them (exact when it ran alone). Keys and values are its own: each computed token
    /// reads every position before it. Memory time is bytes ÷ bandwidth, compute time FLOPs ÷
    /// peak, and the idealized runtime is the larger of the two (the roofline: a step is
    /// bound by whichever it runs out of first).
    public func estimate(_ usage: RequestUsage, choices: Int, before: EngineMetrics, after: EngineMetrics) -> RooflineEstimate? {
        let steps = after.steps - before.steps
        let engineTokens = (after.promptTokens - before.promptTokens) - (after.prefixCacheHitTokens - before.prefixCacheHitTokens)
            + (after.generationTokens - before.generationTokens)
        let prefill = max(0, usage.promptTokens - usage.cachedTokens)
        let tokens = prefill + usage.completionTokens
        guard steps > 0, tokens > 0, bandwidth > 0, peakFLOPs > 0 else { return nil }
        let share = engineTokens > 0 ? min(1, Double(tokens) / Double(engineTokens)) : 1
        // Positions attended: prefill token j attends to j + 1 positions; each choice's i-th
        // generated token to prompt + i + 1.
        let prompt = Double(usage.promptTokens), cached = Double(usage.cachedTokens)
        let prefillPositions = (prompt * (prompt + 1) - cached * (cached + 1)) / 2
        let perChoice = Double(usage.completionTokens) / Double(max(1, choices))
        let decodePositions = Double(max(1, choices)) * (perChoice * prompt + perChoice * (perChoice + 1) / 2)
        let positions = prefillPositions + decodePositions
        let bytes = weightBytesPerStep * Double(steps) * share + cacheBytesPerPosition * positions
        let flops = weightFLOPsPerToken * Double(tokens) + attentionFLOPsPerPosition * positions
        let memory = bytes / bandwidth, compute = flops / peakFLOPs
        let busy = max(0, usage.timings.total - usage.timings.queue)
        let ideal = max(memory, compute)
        return RooflineEstimate(memoryTime: memory, computeTime: compute, idealizedTime: ideal,
                                fraction: busy > 0 ? ideal / busy : 0)
    }
}

/// A request's idealized runtime and how close it came to it.
public struct RooflineEstimate: Sendable, Equatable {
    /// Bytes read (its share of weights, its keys and values) ÷ bandwidth, seconds.
    public var memoryTime: Double
    /// FLOPs ÷ peak, seconds.
    public var computeTime: Double
    /// The larger of the two.
    public var idealizedTime: Double
    /// Idealized runtime ÷ the time it actually ran (arrival to end, less queueing): 1 is the roofline.
    public var fraction: Double

    /// Several engine requests of one API request together: times add, fraction of the slowest wall time.
    static func combined(_ parts: [RooflineEstimate], busy: Double) -> RooflineEstimate? {
        guard !parts.isEmpty else { return nil }
        let ideal = parts.reduce(0) { $0 + $1.idealizedTime }
        return RooflineEstimate(memoryTime: parts.reduce(0) { $0 + $1.memoryTime }, computeTime: parts.reduce(0) { $0 + $1.computeTime },
                                idealizedTime: ideal, fraction: busy > 0 ? ideal / busy : 0)
    }
}
