@testable import ApusEngine
import Testing

/// Scheduler behaviour with made-up runner outputs: no model involved.
@Suite struct SchedulerTests {
    /// A scheduler and a fake runner that answers every sampling row with token 7.
    struct Harness {
        var scheduler: Scheduler
        var nextID = 0
        var arrivals = 0

        init(blocks: Int = 64, blockSize: Int = 4, budget: Int = 16, maxSequences: Int = 8, prefixCaching: Bool = true) {
            scheduler = Scheduler(limits: .init(maxBatchTokens: budget, maxSequences: maxSequences, prefixCaching: prefixCaching),
                                  blocks: BlockManager(blockCount: blocks, blockSize: blockSize))
        }

        /// Queues a request of `n` choices; returns the sequence ids.
        @discardableResult
        mutating func submit(_ prompt: [Int], n: Int = 1, priority: Int = 0) -> [Int] {
            let ids = (0..<n).map { nextID + $0 }
            nextID += n
            let sequences = ids.enumerated().map { choice, id in
                GenerationSequence(id: id, request: arrivals, choice: choice, tokens: prompt, promptCount: prompt.count,
                                   priority: priority, arrival: arrivals)
            }
            arrivals += 1
            scheduler.add(sequences[0], forks: Array(sequences.dropFirst()))
            return ids
        }

        /// One step: schedule, sample token 7 for every sampling row, update.
        @discardableResult
        mutating func step() -> SchedulerOutput {
            let plan = scheduler.schedule()
            let sampled = plan.chunks.filter { $0.logitsFrom != nil }.flatMap { chunk in
                chunk.samplers.map { SampledToken(sequence: $0, token: 7) }
            }
            scheduler.update(plan, RunnerOutput(sampled: sampled))
            return plan
        }
    }

    @Test func budgetAndSequenceCapAreRespected() {
        var h = Harness(budget: 10, maxSequences: 3)
        for _ in 0..<5 { h.submit(Array(1...6)) }
        let plan = h.step()
        #expect(plan.tokenCount <= 10)
        #expect(h.scheduler.running.count <= 3)
        for _ in 0..<20 {
            let plan = h.step()
            #expect(plan.tokenCount <= 10)
            #expect(h.scheduler.running.count <= 3)
        }
    }

    @Test func longPromptIsChunkedAndDecodesAreNeverStarved() {
        var h = Harness(blocks: 700, budget: 64)
        let short = h.submit([1, 2, 3])[0]
        h.step()   // short prompt computed, first token drawn
        let long = h.submit(Array(repeating: 5, count: 2000))[0]
        var steps = 0
        while h.scheduler.sequences[long]!.computedCount < 2000 {
            let plan = h.step()
            steps += 1
            // Every step gives the running decode its token before any prompt chunk.
            #expect(plan.chunks.first?.sequence == short)
            #expect(plan.chunks.first?.count == 1)
            #expect(plan.tokenCount <= 64)
        }
        #expect(steps >= 2000 / 63)
        #expect(h.scheduler.sequences[short]!.outputCount == steps + 1)
    }

    @Test func promptTokensBesideDecodesAreCapped() {
        var h = Harness(blocks: 700, budget: 64)
        h.scheduler = Scheduler(limits: .init(maxBatchTokens: 64, maxSequences: 8, maxPromptTokensBesideDecodes: 8),
                                blocks: BlockManager(blockCount: 700, blockSize: 4))
        // Alone, a prompt takes the whole budget.
        let first = h.submit(Array(repeating: 3, count: 100))[0]
        #expect(h.step().tokenCount == 64)
        h.step()
        #expect(h.scheduler.sequences[first]!.outputCount == 1)
        // Beside a decode, prompt chunks and admissions share the cap.
        let long = h.submit(Array(repeating: 5, count: 200))[0]
        let other = h.submit(Array(repeating: 6, count: 20))[0]
        while h.scheduler.sequences[long]!.computedCount < 200 {
            let plan = h.step()
            #expect(plan.chunks.first?.sequence == first && plan.chunks.first?.count == 1)
            #expect(plan.tokenCount <= 1 + 8, "\(plan.chunks)")
        }
        // The later prompt is admitted once the earlier one is done, still under the cap.
        for _ in 0..<3 {
            let plan = h.step()
            #expect(plan.tokenCount <= 2 + 8, "\(plan.chunks)")
        }
        #expect(h.scheduler.sequences[other]!.computedCount >= 20)
    }

    @Test func prefixHitsSkipComputedBlocks() {
        var h = Harness(budget: 64)
        let system = Array(1...12)
        let first = h.submit(system + [20, 21])[0]
        h.step()
        h.scheduler.finish(first)
        let second = h.submit(system + [30, 31])[0]
        let plan = h.step()
        #expect(plan.chunks.first?.start == 12)
        #expect(plan.chunks.first?.count == 2)
        #expect(h.scheduler.sequences[second]!.cachedPromptTokens == 12)
        #expect(h.scheduler.counters.prefixHitTokens == 12)

        var off = Harness(budget: 64, prefixCaching: false)
        let a = off.submit(system + [20, 21])[0]
        off.step()
        off.scheduler.finish(a)
        off.submit(system + [30, 31])
        #expect(off.step().chunks.first?.start == 0)
    }

    @Test func preemptsLatestArrivalWhenBlocksRunOutAndRecomputesIt() {
        // 6 blocks of 4: two sequences of 8-token prompts take 2 blocks each, then grow.
        var h = Harness(blocks: 6, blockSize: 4, budget: 32)
        let early = h.submit(Array(1...8))[0]
        let late = h.submit(Array(11...18))[0]
        var preempted: [Int] = []
        for _ in 0..<12 { preempted += h.step().preempted }
        #expect(preempted.first == late)
        #expect(h.scheduler.sequences[early]!.status == .running)
        let lateSequence = h.scheduler.sequences[late]!
        #expect(lateSequence.preemptions >= 1)
        // Keep going: once early finishes, late is recomputed from prompt + its outputs.
        let generatedBeforeFinish = lateSequence.tokens
        h.scheduler.finish(early)
        let plan = h.step()
        let chunk = plan.chunks.first { $0.sequence == late }
        #expect(chunk?.start == 0 || (chunk?.start ?? 0) % 4 == 0)
        #expect(chunk.map { $0.start + $0.count } == generatedBeforeFinish.count)
        #expect(h.scheduler.sequences[late]!.tokens.prefix(generatedBeforeFinish.count).elementsEqual(generatedBeforeFinish))
    }

    @Test func aSequenceThatOutgrowsTheCacheAloneEnds() {
        var h = Harness(blocks: 2, blockSize: 4, budget: 32)
        let id = h.submit(Array(1...6))[0]
        var ended: [Int] = []
        for _ in 0..<6 { ended += h.step().outOfRoom }
        #expect(ended == [id])
        #expect(h.scheduler.sequences[id] == nil)
        #expect(h.scheduler.blocks.freeBlockCount == 2)
    }

    @Test func higherPriorityIsAdmittedFirst() {
        var h = Harness(budget: 8, maxSequences: 1)
        let low = h.submit(Array(1...4), priority: 0)[0]
        let high = h.submit(Array(5...8), priority: 5)[0]
        let plan = h.step()
        #expect(plan.chunks.map(\.sequence) == [high])
        #expect(h.scheduler.waiting == [low])
    }

    @Test func cancellationMidPrefillAndMidDecodeFreesBlocks() {
        var h = Harness(blocks: 64, budget: 8)
        let prefilling = h.submit(Array(repeating: 3, count: 30))[0]
        h.step()
        #expect(h.scheduler.sequences[prefilling]!.computedCount == 8)
        h.scheduler.finish(prefilling)
        #expect(h.scheduler.blocks.freeBlockCount == 64)

        let decoding = h.submit([1, 2, 3])[0]
        h.step(); h.step()
        #expect(h.scheduler.sequences[decoding]!.outputCount == 2)
        h.scheduler.finish(decoding)
        #expect(h.scheduler.blocks.usedBlockCount == 0)
        #expect(!h.scheduler.hasWork)
    }

    @Test func choicesForkFromTheCompletedPromptAndShareItsBlocks() {
        var h = Harness(budget: 64)
        let ids = h.submit(Array(1...10), n: 3)
        let plan = h.step()
        #expect(plan.chunks.count == 1)
        #expect(plan.chunks[0].samplers == ids)
        let tables = ids.map { h.scheduler.sequences[$0]!.blockTable.blocks }
        #expect(tables[0] == tables[1] && tables[1] == tables[2])
        #expect(h.scheduler.blocks.referenceCount(tables[0][0]) == 3)
        // Next step every choice writes position 10 into the shared partial block: two copies.
        let next = h.step()
        #expect(next.copies.count == 2)
        #expect(next.chunks.count == 3)
        // Cancelling the request's first choice before forking cancels the pending ones too.
        var g = Harness(budget: 4)
        let forked = g.submit(Array(1...10), n: 2)
        g.step()
        g.scheduler.finish(forked[0])
        #expect(g.scheduler.sequences[forked[1]] == nil)
    }

    @Test func draftTokensGetLogitsForEveryRowAndRollBack() {
        var h = Harness(budget: 32)
        let id = h.submit([1, 2, 3])[0]
        h.step()   // tokens: 1 2 3 7, computed 3
        h.scheduler.setDraftTokens(id, [8, 9])
        let plan = h.step()
        #expect(plan.chunks[0].start == 3 && plan.chunks[0].count == 3)
        #expect(plan.chunks[0].logitsFrom == 3)
        h.scheduler.truncate(id, toTokens: 4)
        #expect(h.scheduler.sequences[id]!.tokens == [1, 2, 3, 7])
        #expect(h.scheduler.sequences[id]!.computedCount == 4)
    }
}
