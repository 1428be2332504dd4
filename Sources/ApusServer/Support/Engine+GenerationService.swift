import ApusEngine

/// The engine is the server's generation service; `load()` is its metrics snapshot.
extension Engine: GenerationService {
    public func load() -> EngineLoad {
        let m = metrics()
        var load = EngineLoad()
        load.running = m.running
        load.waiting = m.waiting
        load.kvCacheUsage = m.kvCacheUsage
        load.prefixCacheQueriedTokens = m.prefixCacheQueriedTokens
        load.prefixCacheHitTokens = m.prefixCacheHitTokens
        load.promptTokens = m.promptTokens
        load.generationTokens = m.generationTokens
        load.preemptions = m.preemptions
        load.kvCacheTokens = m.kvCacheTokens
        return load
    }
}
