import ApusCore
import Foundation

/// Log-probabilities under the model's own distribution (the raw logits' softmax, before
/// penalties, temperature and truncation), as OpenAI's `logprobs` reports them.
public enum LogProbabilities {
    /// The log-probability of `token` and the `top` most likely tokens (best first, lowest
    /// id on ties) with theirs, from one row of logits.
    public static func of(_ token: Int, in logits: UnsafeBufferPointer<Float>, top: Int) -> (logprob: Float, top: [(token: Int, logprob: Float)]) {
        var maximum = -Float.infinity
        for value in logits where value > maximum { maximum = value }
        var sum: Double = 0
        for value in logits { sum += Double(expf(value - maximum)) }
        let logSum = maximum + Float(log(sum))
        var best: [(token: Int, logprob: Float)] = []
        if top > 0 {
            var heap = BinaryHeap<WorstFirst>()
            for (i, value) in logits.enumerated() {
                let candidate = WorstFirst(id: Int32(i), logit: value)
                if heap.count < top { heap.insert(candidate) }
                else if WorstFirst.comesBefore(heap.first!, candidate) { heap.replaceFirst(with: candidate) }
            }
            best = heap.elements.sorted { WorstFirst.comesBefore($1, $0) }.map { (Int($0.id), $0.logit - logSum) }
        }
        return (logits[token] - logSum, best)
    }
}
