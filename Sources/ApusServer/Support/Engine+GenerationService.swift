import ApusEngine

/// The engine is the server's generation service (its `metrics()` is the snapshot `/metrics` reads).
extension Engine: GenerationService {}
