import Foundation

/// The statistics llama-perplexity's `--kl-divergence` prints, accumulated row by row:
/// Kullback–Leibler divergence of our distribution from a base's, PPL of both, the
/// probability given to the actual next token, and how often the top tokens agree.
///
/// Each row follows llama.cpp's `log_softmax` for KL divergence: base log-probabilities
/// from the record (`LogitBaseFile`), KLD = Σ p_base · (log p_base − log p) over the tokens
/// whose base log-probability is above −16.
public struct KLDivergence: Sendable {
    /// Rows compared.
    public private(set) var count = 0
    /// Σ −log p(next), ours and the base's, their squares and products.
    public private(set) var sumNLL = 0.0, sumNLL2 = 0.0, sumNLLBase = 0.0, sumNLLBase2 = 0.0, sumNLLProduct = 0.0
    /// Σ KLD and Σ KLD².
    public private(set) var sumKLD = 0.0, sumKLD2 = 0.0
    /// Σ Δp, Σ Δp², Σ Δp⁴ (Δp: our probability of the next token minus the base's).
    public private(set) var sumPDiff = 0.0, sumPDiff2 = 0.0, sumPDiff4 = 0.0
    /// Rows whose most likely token is the base's.
    public private(set) var sameTop = 0
    /// Every row's KLD, for percentiles.
    public private(set) var values: [Float] = []

    /// Empty statistics.
    public init() {}

    /// Adds one row: our `logits` against the base `record`, with `target` the next token.
    public mutating func add(_ logits: UnsafeBufferPointer<Float>, base record: UnsafeBufferPointer<UInt16>, target: Int) {
        var maxLogit = logits[0]
        var top = 0
        for i in 1..<logits.count where logits[i] > maxLogit {
            maxLogit = logits[i]
            top = i
        }
        var sumExp = 0.0
        for value in logits { sumExp += Double(expf(value - maxLogit)) }
        let logSumExp = Float(log(sumExp))
        let (scale, minLogProb) = LogitBaseFile.scaleAndMinimum(record)
        let quantized = UnsafeBufferPointer(rebasing: record[4...])
        let nll = maxLogit + logSumExp - logits[target]
        let nllBase = -(scale * Float(quantized[target]) + minLogProb)
        sumNLL += Double(nll)
        sumNLL2 += Double(nll * nll)
        sumNLLBase += Double(nllBase)
        sumNLLBase2 += Double(nllBase * nllBase)
        sumNLLProduct += Double(nll * nllBase)
        let logNormalizer = maxLogit + logSumExp
        var kld = 0.0
        var baseTop = 0
        var baseTopLogProb: Float = 0
        for i in 0..<logits.count {
            let logProbBase = scale * Float(quantized[i]) + minLogProb
            if i == 0 || logProbBase > baseTopLogProb {
                baseTopLogProb = logProbBase
                baseTop = i
            }
            if logProbBase > -16 {
                kld += Double(expf(logProbBase) * (logProbBase - logits[i] + logNormalizer))
            }
        }
        sumKLD += kld
        sumKLD2 += kld * kld
        values.append(Float(kld))
        count += 1
        if top == baseTop { sameTop += 1 }
        let pDiff = Double(expf(-nll) - expf(-nllBase))
        sumPDiff += pDiff
        sumPDiff2 += pDiff * pDiff
        sumPDiff4 += pDiff * pDiff * pDiff * pDiff
    }

    /// Mean and its standard error, as llama-perplexity computes them.
    static func meanAndUncertainty(_ sum: Double, _ sum2: Double, _ count: Int) -> (mean: Double, error: Double) {
        guard count > 0 else { return (0, 0) }
        let mean = sum / Double(count)
        let variance = sum2 / Double(count) - mean * mean
        return (mean, variance > 0 && count > 10 ? (variance / Double(count - 1)).squareRoot() : 0)
    }

    /// Mean KLD and its uncertainty.
    public var meanKLD: (mean: Double, error: Double) { Self.meanAndUncertainty(sumKLD, sumKLD2, count) }
    /// Our perplexity on the base's tokens.
    public var perplexity: Double { exp(sumNLL / Double(max(count, 1))) }
    /// The base's perplexity on its tokens.
    public var basePerplexity: Double { exp(sumNLLBase / Double(max(count, 1))) }
    /// Share of rows whose top token agrees with the base's.
    public var sameTopFraction: Double { Double(sameTop) / Double(max(count, 1)) }

    /// The `fraction` percentile of the rows' KLD (linear interpolation, as llama.cpp).
    public func percentile(_ fraction: Double) -> Float {
        let sorted = values.sorted()
        guard let first = sorted.first, let last = sorted.last else { return 0 }
        if fraction <= 0 { return first }
        if fraction >= 1 { return last }
        let position = fraction * Double(sorted.count - 1)
        let index = Int(position), weight = Float(position - Double(index))
        return (1 - weight) * sorted[index] + weight * sorted[min(index + 1, sorted.count - 1)]
    }

    /// The report, in llama-perplexity's layout.
    public var report: String {
        let logPPL = Self.meanAndUncertainty(sumNLL, sumNLL2, count)
        let logBase = Self.meanAndUncertainty(sumNLLBase, sumNLLBase2, count)
        let covariance: Double = {
            guard count >= 10 else { return 0 }
            let n = Double(count)
            return (sumNLLProduct / n - (sumNLL / n) * (sumNLLBase / n)) / (n - 1)
        }()
        let ppl = exp(logPPL.mean), pplError = ppl * logPPL.error
        let base = exp(logBase.mean), baseError = base * logBase.error
        let ratio = logPPL.mean - logBase.mean
        let ratioError = max(0, logPPL.error * logPPL.error + logBase.error * logBase.error - 2 * covariance).squareRoot()
        let difference = ppl - base
        let differenceError = max(0, pplError * pplError + baseError * baseError - 2 * ppl * base * covariance).squareRoot()
        let kld = meanKLD
        let pDiff = Self.meanAndUncertainty(sumPDiff, sumPDiff2, count)
        let rms = Self.meanAndUncertainty(sumPDiff2, sumPDiff4, count)
        let top = sameTopFraction
        var lines = [
            "====== Perplexity statistics ======",
            String(format: "Mean PPL(Q)                   : %10.6f ± %10.6f", ppl, pplError),
            String(format: "Mean PPL(base)                : %10.6f ± %10.6f", base, baseError),
            String(format: "Cor(ln(PPL(Q)), ln(PPL(base))): %6.2f%%", 100 * covariance / max(logPPL.error * logBase.error, .leastNonzeroMagnitude)),
            String(format: "Mean ln(PPL(Q)/PPL(base))     : %10.6f ± %10.6f", ratio, ratioError),
            String(format: "Mean PPL(Q)/PPL(base)         : %10.6f ± %10.6f", exp(ratio), exp(ratio) * ratioError),
            String(format: "Mean PPL(Q)-PPL(base)         : %10.6f ± %10.6f", difference, differenceError),
            "",
            "====== KL divergence statistics ======",
            String(format: "Mean    KLD: %10.6f ± %10.6f", kld.mean, kld.error),
            String(format: "Maximum KLD: %10.6f", percentile(1)),
        ]
        for (label, fraction) in [("99.9%", 0.999), ("99.0%", 0.99), ("95.0%", 0.95), ("90.0%", 0.9), ("Median", 0.5),
                                  ("10.0%", 0.1), (" 5.0%", 0.05), (" 1.0%", 0.01), (" 0.1%", 0.001)] {
            lines.append(label.padding(toLength: 7, withPad: " ", startingAt: 0) + String(format: " KLD: %10.6f", percentile(fraction)))
        }
        lines += [
            String(format: "Minimum KLD: %10.6f", percentile(0)),
            "",
            "====== Token probability statistics ======",
            String(format: "Mean    Δp: %6.3f ± %5.3f %%", 100 * pDiff.mean, 100 * pDiff.error),
            String(format: "RMS Δp    : %6.3f ± %5.3f %%", 100 * rms.mean.squareRoot(),
                   rms.mean > 0 ? 100 * 0.5 / rms.mean.squareRoot() * rms.error : 0),
            String(format: "Same top p: %6.3f ± %5.3f %%", 100 * top, count > 1 ? 100 * (top * (1 - top) / Double(count - 1)).squareRoot() : 0),
        ]
        return lines.joined(separator: "\n")
    }
}
