import ApusGGUF
import ApusKernels
import ApusModels
import ApusServer

/// The roofline `apus serve` reports requests against: the model's bytes and FLOPs per
/// token, with this machine's read bandwidth and the matrix kernels' peak rate measured at
/// start-up (about a second, on the model's own thread pool).
enum RooflineMeasurement {
    /// Measures the machine and counts `model`'s work; nil when the model has no
    /// `blk.0.ffn_up.weight` to take the kernel type and shape from, or a measurement fails.
    static func measure(_ model: TransformerModel) -> RooflineModel? {
        let h = model.hyperparameters
        let d = Double(h.embeddingLength)
        let qWidth = Double(h.headCount * h.keyLength), kvWidth = Double(h.headCountKV * (h.keyLength + h.valueLength))
        let outWidth = Double(h.headCount * h.valueLength)
        // Multiply-adds per token of every projection matrix and the output matrix.
        let perLayer = d * qWidth + d * kvWidth + outWidth * d + 3 * d * Double(h.feedForwardLength)
        let weightFLOPs = 2 * (Double(h.blockCount) * perLayer + d * Double(h.vocabularySize))
        // Per attended position: query·key over keyLength and weight·value over valueLength, every head and layer.
        let attentionFLOPs = 2 * Double(h.blockCount * h.headCount * (h.keyLength + h.valueLength))
        guard let ffn = model.file.tensorInfo(named: "blk.0.ffn_up.weight"), ffn.shape.count == 2,
              let weights = try? BenchmarkWeights(type: ffn.type, rows: ffn.shape[1], columns: ffn.shape[0], minimumBytes: 64 << 20),
              let kernel = try? KernelBenchmark.measure(weights, tokens: 64, pool: model.pool, repeats: 5)
        else { return nil }
        let bandwidth = KernelBenchmark.readBandwidth(bytes: 256 << 20, pool: model.pool, repeats: 3, streams: 4)
        return RooflineModel(
            weightBytesPerStep: Double(model.weightBytesPerToken), weightFLOPsPerToken: weightFLOPs,
            cacheBytesPerPosition: Double(model.cacheBytesPerToken(depth: 1)), attentionFLOPsPerPosition: attentionFLOPs,
            bandwidth: bandwidth * 1e9, peakFLOPs: kernel.gflopsPerSecond * 1e9)
    }
}
