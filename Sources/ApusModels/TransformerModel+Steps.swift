import ApusCore
import ApusKernels
import Foundation

/// The stages of the forward pass other than attention.
extension TransformerModel {
    func validate(_ batch: ForwardBatch, cache: PagedKVCache) throws {
        guard batch.count <= maxBatchTokens else { throw ModelError.batchTooLarge(tokens: batch.count, maximum: maxBatchTokens) }
        guard batch.logitRowCount <= scratch.maxLogitRows else {
            throw ModelError.batchTooLarge(tokens: batch.logitRowCount, maximum: scratch.maxLogitRows)
        }
        let vocabulary = hyperparameters.vocabularySize
        for i in 0..<batch.count {
            let token = Int(batch.tokens[i])
            guard token >= 0, token < vocabulary else { throw ModelError.tokenOutOfRange(token: token, vocabularySize: vocabulary) }
            let sequence = Int(batch.sequences[i])
            let limit = min(cache.reservedTokens(sequence: sequence), contextLength)
            let position = Int(batch.positions[i])
            guard position >= 0, position < limit else {
                throw ModelError.positionOutOfRange(position: position, sequence: sequence, limit: limit)
            }
        }
    }

    /// Looks up each token's embedding row (dequantized) into the residual stream.
    func embed(_ batch: ForwardBatch) {
        let d = hyperparameters.embeddingLength
        let scale = traits.scalesEmbedding ? Float(d).squareRoot() : 1
        let table = weights.embedding
        for i in 0..<batch.count {
            let row = scratch.x + i * d
            _ = KernelDispatch.dequantizeRow(table.type, table.row(Int(batch.tokens[i])), row, count: d)
            if scale != 1 { for j in 0..<d { row[j] *= scale } }
        }
    }

    /// Cos/sin tables for every row's position, for the global and (if any) local RoPE base.
    func computeRoPEAngles(_ batch: ForwardBatch) {
        let h = hyperparameters
        let dims = h.ropeDimensionCount
        for i in 0..<batch.count {
            let position = Int(batch.positions[i])
            let global = scratch.ropeGlobal + i * dims
            RoPE.Angles.compute(position: position, dimensions: dims, base: h.ropeFrequencyBase,
                                cos: global, sin: global + dims / 2)
            if let localBase = traits.localRopeBase {
                let local = scratch.ropeLocal + i * dims
                RoPE.Angles.compute(position: position, dimensions: dims, base: localBase,
                                    cos: local, sin: local + dims / 2)
            }
        }
    }

    func applyRoPE(rows: Int, local: Bool) {
        let h = hyperparameters
        let dims = h.ropeDimensionCount
        let table = local ? scratch.ropeLocal : scratch.ropeGlobal
        for i in 0..<rows {
            let angles = UnsafePointer(table + i * dims)
            RoPE.apply(scratch.q + i * h.headCount * h.keyLength, heads: h.headCount, headDimension: h.keyLength,
                       dimensions: dims, style: traits.ropeStyle, cos: angles, sin: angles + dims / 2)
            RoPE.apply(scratch.k + i * h.headCountKV * h.keyLength, heads: h.headCountKV, headDimension: h.keyLength,
                       dimensions: dims, style: traits.ropeStyle, cos: angles, sin: angles + dims / 2)
        }
    }

    /// RMSNorm of `rows` rows of d_model values.
    func normalize(_ input: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, rows: Int,
                   into output: UnsafeMutablePointer<Float>) {
        let d = hyperparameters.embeddingLength
        let epsilon = hyperparameters.rmsNormEpsilon
        for i in 0..<rows {
            Norms.rmsNorm(input + i * d, weight: weight, epsilon: epsilon, count: d, into: output + i * d)
        }
    }

    /// RMSNorm of each head (QK-norm), in place.
    func normalizeHeads(_ x: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, heads: Int) {
        let dim = hyperparameters.keyLength
        for i in 0..<heads {
            Norms.rmsNorm(x + i * dim, weight: weight, epsilon: hyperparameters.rmsNormEpsilon, count: dim, into: x + i * dim)
        }
    }

    /// `output[rows × W.rows] = input[rows × W.columns] · Wᵀ (+ bias)`. With
    /// `reuseQuantized`, the activations quantized by the previous call are reused when
    /// they have the right format (Q, K and V read the same normalised input).
    func project(_ weight: WeightMatrix, _ input: UnsafeMutablePointer<Float>, rows: Int,
                 into output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil,
                 reuseQuantized: Bool = false) throws {
        let activations = scratch.activations
        do {
            let wanted = weight.type.traits.dotActivationType
            if !(reuseQuantized && activations.type == wanted && activations.tokens == rows
                 && activations.columns == weight.columns) {
                try activations.quantize(input, tokens: rows, columns: weight.columns, for: weight.type, pool: pool)
            }
            try MatMul.multiply(weight, activations, into: output, pool: pool)
        } catch {
            throw ModelError.kernel("\(error)")
        }
        if let bias {
            for i in 0..<rows {
                let row = output + i * weight.rows
                for j in 0..<weight.rows { row[j] += bias[j] }
            }
        }
    }

    func addInPlace(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    /// Final norm and the output projection, for the rows that asked for logits only.
    func outputLogits(_ batch: ForwardBatch) throws -> Logits {
        let d = hyperparameters.embeddingLength
        var rows: [Int] = []
        for i in 0..<batch.count where batch.wantsLogits[i] {
            Norms.rmsNorm(scratch.x + i * d, weight: weights.outputNorm, epsilon: hyperparameters.rmsNormEpsilon,
                          count: d, into: scratch.logitInput + rows.count * d)
            rows.append(i)
        }
        if !rows.isEmpty {
            try project(weights.output, scratch.logitInput, rows: rows.count, into: scratch.logits)
        }
        return Logits(rowCount: rows.count, vocabularySize: weights.output.rows, batchRows: rows,
                      base: UnsafePointer(scratch.logits))
    }
}
