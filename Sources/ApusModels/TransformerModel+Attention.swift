import ApusKernels

/// Writing the batch's keys and values into the paged cache, and attention over it.
extension TransformerModel {
    /// The block table of every sequence in the batch, looked up once per forward pass.
    func blockTables(_ batch: ForwardBatch, cache: PagedKVCache) -> [Int: [Int32]] {
        var tables: [Int: [Int32]] = [:]
        for sequence in batch.sequences where tables[Int(sequence)] == nil {
            tables[Int(sequence)] = cache.blockTable(sequence: Int(sequence))
        }
        return tables
    }

    /// How attention sums are grouped, for every row of every batch: one order (8 lanes,
    /// tinyBLAS's tree), so a row's attention depends on its sequence's cache alone, never on
    /// how many of its tokens share the step (llama.cpp switches to a 32-lane order for a
    /// single token; Apus does not).
    static let attentionOrder = SummationOrder.matrix

    /// Stores each row's K and V (rounded to half floats) at its sequence position.
    func writeKeysAndValues(_ batch: ForwardBatch, layer: Int, cache: PagedKVCache, tables: [Int: [Int32]]) {
        let h = hyperparameters
        let layout = cache.layout
        let keys = cache.keys(layer: layer), values = cache.values(layer: layer)
        for i in 0..<batch.count {
            let sequence = Int(batch.sequences[i]), position = Int(batch.positions[i])
            let block = Int(tables[sequence]![position / layout.blockSize])
            let slot = position % layout.blockSize
            for head in 0..<h.headCountKV {
                let target = layout.offset(block: block, head: head, slot: slot)
                let k = scratch.k + (i * h.headCountKV + head) * h.keyLength
                let v = scratch.v + (i * h.headCountKV + head) * h.valueLength
                HalfConversion.store(k, into: keys + target, count: h.keyLength)
                HalfConversion.store(v, into: values + target, count: h.valueLength)
            }
        }
    }

    /// Causal attention for every row and head, spread over the pool. The query heads
    /// that share a key/value head go through `PagedAttention.attendGroup` together, so
    /// each cached key and value row is read once for all of them; a group is split into
    /// parts when there are too few (row, group) units to keep every thread busy (one
    /// decoding step). Each task owns a slice of the units (grouped by key/value head) and one
    /// scratch area.
    func attend(_ batch: ForwardBatch, layer: Int, cache: PagedKVCache, tables: [Int: [Int32]]) {
        let h = hyperparameters
        let rows = batch.count
        let groupSize = h.headCount / h.headCountKV
        let groups = rows * h.headCountKV
        let parts = min(groupSize, max(1, (2 * pool.threadCount + groups - 1) / groups))
        let units = groups * parts
        let tasks = min(scratch.attentionTasks, units)
        let scale = 1 / Float(h.keyLength).squareRoot()
        let scalesQuery = traits.scalesQuery
        let window = isLocalLayer(layer) ? h.slidingWindow : nil
        let keys = UnsafePointer(cache.keys(layer: layer)), values = UnsafePointer(cache.values(layer: layer))
        let layout = cache.layout
        let s = scratch
        pool.run(tasks: tasks) { task in
            let scratch = s.scores + task * s.attentionScratchCount
            for unit in (task * units / tasks)..<((task + 1) * units / tasks) {
                // Key/value head outermost: a task's consecutive units read the same head's keys
                // and values, which stay in L2 from one row to the next instead of streaming
                // every head's from L3 for each row (prompts at depth are bound by that traffic).
                let row = unit / parts % rows
                let kvHead = unit / (parts * rows), part = unit % parts
                let firstHead = kvHead * groupSize + part * groupSize / parts
                let endHead = kvHead * groupSize + (part + 1) * groupSize / parts
                let position = Int(batch.positions[row])
                let first = window.map { max(0, position - $0 + 1) } ?? 0
                let sequence = Int(batch.sequences[row])
                let queries = s.q + (row * h.headCount + firstHead) * h.keyLength
                if scalesQuery { for j in 0..<((endHead - firstHead) * h.keyLength) { queries[j] *= scale } }
                tables[sequence]!.withUnsafeBufferPointer { table in
                    PagedAttention.attendGroup(
                        queries: queries, heads: endHead - firstHead, keys: keys, values: values,
                        layout: layout, blockTable: table.baseAddress!, first: first, last: position,
                        kvHead: kvHead, scale: scalesQuery ? 1 : scale, order: Self.attentionOrder, scratch: scratch,
                        outputs: s.attention + (row * h.headCount + firstHead) * h.valueLength)
                }
            }
        }
    }
}
