import ApusCore
import ApusGGUF
import ApusKernels

/// The weights of one transformer block, as views into the mapped file.
struct LayerWeights {
    let attentionNorm: UnsafePointer<Float>      // [d]
    let query: WeightMatrix                       // [heads·headDim × d]
    let key: WeightMatrix                         // [kvHeads·headDim × d]
    let value: WeightMatrix                       // [kvHeads·headDim × d]
    let queryBias: UnsafePointer<Float>?          // [heads·headDim]
    let keyBias: UnsafePointer<Float>?            // [kvHeads·headDim]
    let valueBias: UnsafePointer<Float>?          // [kvHeads·headDim]
    let queryNorm: UnsafePointer<Float>?          // [headDim]
    let keyNorm: UnsafePointer<Float>?            // [headDim]
    let attentionOutput: WeightMatrix             // [d × heads·headDim]
    let postAttentionNorm: UnsafePointer<Float>?  // [d]
    let feedForwardNorm: UnsafePointer<Float>     // [d]
    let gate: WeightMatrix                        // [ff × d]
    let up: WeightMatrix                          // [ff × d]
    let down: WeightMatrix                        // [d × ff]
    let postFeedForwardNorm: UnsafePointer<Float>?  // [d]
}

/// Every weight a model needs, checked against the hyperparameters at load.
struct ModelWeights {
    let embedding: TensorView                     // [d, vocab] (GGML order)
    let layers: [LayerWeights]
    let outputNorm: UnsafePointer<Float>          // [d]
    let output: WeightMatrix                      // [vocab × d], tied to the embedding if absent

    /// Bytes of the weight matrices one decoding step reads: every layer's projections and
    /// the output matrix (the embedding contributes one row; norms and biases are a few KB).
    /// Decoding speed cannot exceed memory bandwidth divided by this.
    var matrixBytesPerToken: Int {
        layers.reduce(output.rows * output.rowBytes) { total, layer in
            [layer.query, layer.key, layer.value, layer.attentionOutput, layer.gate, layer.up, layer.down]
                .reduce(total) { $0 + $1.rows * $1.rowBytes }
        }
    }

    init(file: GGUFFile, hyper: ModelHyperparameters, traits: ArchitectureTraits) throws(ModelError) {
        let d = hyper.embeddingLength
        let qWidth = hyper.headCount * hyper.keyLength
        let kvWidth = hyper.headCountKV * hyper.keyLength
        let vWidth = hyper.headCountKV * hyper.valueLength
        let ff = hyper.feedForwardLength

        func tensor(_ name: String, _ shape: [Int]) throws(ModelError) -> TensorView {
            guard let view = file.tensor(named: name) else { throw .missingTensor(name) }
            let trimmed = Array(view.shape.prefix(shape.count))
            guard trimmed == shape, view.shape.dropFirst(shape.count).allSatisfy({ $0 == 1 }) else {
                throw .badTensorShape(name: name, expected: shape, found: view.shape)
            }
            return view
        }
        func vector(_ name: String, _ count: Int) throws(ModelError) -> UnsafePointer<Float> {
            let view = try tensor(name, [count])
            guard view.type == .f32 else { throw .unsupportedTensorType(name: name, type: view.type) }
            return view.data.assumingMemoryBound(to: Float.self)
        }
        func optionalVector(_ name: String, _ count: Int, _ present: Bool) throws(ModelError) -> UnsafePointer<Float>? {
            present ? try vector(name, count) : nil
        }
        func matrix(_ name: String, rows: Int, columns: Int) throws(ModelError) -> WeightMatrix {
            let view = try tensor(name, [columns, rows])
            do { return try WeightMatrix(view) } catch { throw .unsupportedTensorType(name: name, type: view.type) }
        }

        embedding = try tensor("token_embd.weight", [d, hyper.vocabularySize])
        guard KernelDispatch.supports(embedding.type) else {
            throw .unsupportedTensorType(name: embedding.name, type: embedding.type)
        }
        var layers: [LayerWeights] = []
        for i in 0..<hyper.blockCount {
            let p = "blk.\(i)."
            layers.append(LayerWeights(
                attentionNorm: try vector(p + "attn_norm.weight", d),
                query: try matrix(p + "attn_q.weight", rows: qWidth, columns: d),
                key: try matrix(p + "attn_k.weight", rows: kvWidth, columns: d),
                value: try matrix(p + "attn_v.weight", rows: vWidth, columns: d),
                queryBias: try optionalVector(p + "attn_q.bias", qWidth, traits.hasQKVBias),
                keyBias: try optionalVector(p + "attn_k.bias", kvWidth, traits.hasQKVBias),
                valueBias: try optionalVector(p + "attn_v.bias", vWidth, traits.hasQKVBias),
                queryNorm: try optionalVector(p + "attn_q_norm.weight", hyper.keyLength, traits.hasQKNorm),
                keyNorm: try optionalVector(p + "attn_k_norm.weight", hyper.keyLength, traits.hasQKNorm),
                attentionOutput: try matrix(p + "attn_output.weight", rows: d, columns: hyper.headCount * hyper.valueLength),
                postAttentionNorm: try optionalVector(p + "post_attention_norm.weight", d, traits.hasPostNorms),
                feedForwardNorm: try vector(p + "ffn_norm.weight", d),
                gate: try matrix(p + "ffn_gate.weight", rows: ff, columns: d),
                up: try matrix(p + "ffn_up.weight", rows: ff, columns: d),
                down: try matrix(p + "ffn_down.weight", rows: d, columns: ff),
                postFeedForwardNorm: try optionalVector(p + "post_ffw_norm.weight", d, traits.hasPostNorms)))
        }
        self.layers = layers
        outputNorm = try vector("output_norm.weight", d)
        if file.tensorInfo(named: "output.weight") != nil {
            output = try matrix("output.weight", rows: hyper.vocabularySize, columns: d)
        } else {
            do { output = try WeightMatrix(embedding) } catch {
                throw .unsupportedTensorType(name: embedding.name, type: embedding.type)
            }
        }
    }
}
