/// The logits a forward pass produced: one row of `vocabularySize` floats for each batch
/// row that asked for them, in batch order. Valid until the model's next `forward`.
public struct Logits: @unchecked Sendable {
    /// Number of rows.
    public let rowCount: Int
    /// Values per row.
    public let vocabularySize: Int
    /// For each row, the index of the batch row it belongs to.
    public let batchRows: [Int]
    let base: UnsafePointer<Float>

    /// The logits of row `index` (0 ..< rowCount).
    public func row(_ index: Int) -> UnsafeBufferPointer<Float> {
        precondition(index >= 0 && index < rowCount, "logit row \(index) out of 0..<\(rowCount)")
        return UnsafeBufferPointer(start: base + index * vocabularySize, count: vocabularySize)
    }

    /// The id of the largest logit in row `index` (lowest id on ties, as llama.cpp's greedy sampler).
    public func argmax(_ index: Int) -> Int {
        let values = row(index)
        var best = 0
        for i in 1..<values.count where values[i] > values[best] { best = i }
        return best
    }
}
