import ApusGGUF
import ApusKernels

/// Every buffer the forward pass writes, allocated once at load for the largest batch,
/// so that `forward` allocates nothing.
final class ForwardScratch {
    let maxTokens: Int
    let maxLogitRows: Int
    let x: UnsafeMutablePointer<Float>          // residual stream [tokens × d]
    let normed: UnsafeMutablePointer<Float>     // [tokens × d]
    let q: UnsafeMutablePointer<Float>          // [tokens × heads·headDim]
    let k: UnsafeMutablePointer<Float>          // [tokens × kvHeads·headDim]
    let v: UnsafeMutablePointer<Float>          // [tokens × kvHeads·valueDim]
    let attention: UnsafeMutablePointer<Float>  // [tokens × heads·valueDim]
    let projection: UnsafeMutablePointer<Float> // [tokens × d]
    let gate: UnsafeMutablePointer<Float>       // [tokens × ff]
    let up: UnsafeMutablePointer<Float>         // [tokens × ff]
    let ropeGlobal: UnsafeMutablePointer<Float> // [tokens × rotDim] (cos | sin halves)
    let ropeLocal: UnsafeMutablePointer<Float>  // [tokens × rotDim]
    let scores: UnsafeMutablePointer<Float>     // [tasks × attentionScratchCount]
    let logitInput: UnsafeMutablePointer<Float> // [logit rows × d]
    let logits: UnsafeMutablePointer<Float>     // [logit rows × vocab]
    let activations: QuantizedActivations
    let attentionTasks: Int
    let attentionScratchCount: Int
    let contextLength: Int
    private var buffers: [UnsafeMutablePointer<Float>] = []

    init(hyper: ModelHyperparameters, maxTokens: Int, maxLogitRows: Int, contextLength: Int, threads: Int) {
        self.maxTokens = maxTokens
        self.maxLogitRows = maxLogitRows
        self.contextLength = contextLength
        let d = hyper.embeddingLength
        let qWidth = hyper.headCount * hyper.keyLength
        let kvWidth = hyper.headCountKV * hyper.keyLength
        let vWidth = hyper.headCountKV * hyper.valueLength
        let attentionWidth = hyper.headCount * hyper.valueLength
        let ff = hyper.feedForwardLength
        attentionTasks = max(1, threads * 4)
        var all: [UnsafeMutablePointer<Float>] = []
        func make(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            all.append(p)
            return p
        }
        x = make(maxTokens * d)
        normed = make(maxTokens * d)
        q = make(maxTokens * qWidth)
        k = make(maxTokens * kvWidth)
        v = make(maxTokens * vWidth)
        attention = make(maxTokens * attentionWidth)
        projection = make(maxTokens * d)
        gate = make(maxTokens * ff)
        up = make(maxTokens * ff)
        ropeGlobal = make(maxTokens * hyper.ropeDimensionCount)
        ropeLocal = make(maxTokens * hyper.ropeDimensionCount)
        attentionScratchCount = PagedAttention.scratchCount(contextLength: contextLength,
                                                            headDimension: max(hyper.keyLength, hyper.valueLength),
                                                            heads: hyper.headCount / max(1, hyper.headCountKV))
        scores = make(attentionTasks * attentionScratchCount)
        logitInput = make(maxLogitRows * d)
        logits = make(maxLogitRows * hyper.vocabularySize)
        buffers = all
        // Widest activation row, at the widest activation encoding (F32: 4 bytes a value).
        let widest = max(d, ff, attentionWidth)
        activations = QuantizedActivations(capacityBytes: max(maxTokens, maxLogitRows) * widest * 4 + 4096)
    }

    deinit { buffers.forEach { $0.deallocate() } }
}
