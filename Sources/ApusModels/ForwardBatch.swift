/// One step's worth of tokens for the model: a flat list drawn from one or more sequences.
///
/// Row `i` is token `tokens[i]` at `positions[i]` of sequence `sequences[i]`. Rows of the
/// same sequence must be in increasing position order; attention is causal within a
/// sequence and never crosses sequences. `wantsLogits[i]` marks rows whose logits the
/// caller needs (the last prompt token, every decode token, every row for perplexity).
public struct ForwardBatch: Sendable {
    /// Token ids.
    public private(set) var tokens: [Int32] = []
    /// Position of each token within its sequence.
    public private(set) var positions: [Int32] = []
    /// The sequence (KV-cache owner) of each token.
    public private(set) var sequences: [Int32] = []
    /// Whether logits are needed for each row.
    public private(set) var wantsLogits: [Bool] = []

    /// An empty batch.
    public init() {}

    /// Number of rows.
    public var count: Int { tokens.count }
    /// Number of rows that want logits.
    public var logitRowCount: Int { wantsLogits.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Appends one token.
    public mutating func append(token: Int, position: Int, sequence: Int, logits: Bool) {
        tokens.append(Int32(truncatingIfNeeded: token))
        positions.append(Int32(truncatingIfNeeded: position))
        sequences.append(Int32(truncatingIfNeeded: sequence))
        wantsLogits.append(logits)
    }

    /// Appends consecutive tokens of one sequence starting at `position`; `logitsForLast`
    /// asks for the last row's logits only, `allLogits` for every row.
    public mutating func append(tokens ids: [Int], startingAt position: Int, sequence: Int,
                                logitsForLast: Bool = true, allLogits: Bool = false) {
        for (i, id) in ids.enumerated() {
            append(token: id, position: position + i, sequence: sequence,
                   logits: allLogits || (logitsForLast && i == ids.count - 1))
        }
    }

    /// Removes every row, keeping capacity.
    public mutating func removeAll() {
        tokens.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        sequences.removeAll(keepingCapacity: true)
        wantsLogits.removeAll(keepingCapacity: true)
    }
}
