/// How `apus serve` answers: names, limits, keys. Engine limits live in `EngineConfiguration`.
public struct ServerConfiguration: Sendable {
    /// The model name reported by `/v1/models` and in every response.
    public var servedModelName: String
    /// Requests to `/v1` must carry `Authorization: Bearer <apiKey>` when set.
    public var apiKey: String?
    /// Largest request body accepted, in bytes (larger gets 413).
    public var maxBodyBytes = 4 << 20
    /// Deepest JSON nesting accepted (deeper gets 400 before decoding).
    public var maxJSONDepth = 64
    /// Largest `n` (choices per prompt).
    public var maxChoices = 16
    /// Most prompts in one `/v1/completions` request.
    public var maxPrompts = 64
    /// Most stop strings per request.
    public var maxStopStrings = 16
    /// Seconds a 429 asks the client to wait (`Retry-After`).
    public var retryAfterSeconds = 1
    /// Add `apus_timings` to every response, not only to those that ask for it.
    public var reportTimings = false
    /// What a chat request is told when the model has no chat template.
    public var missingChatTemplateReason = "this model has no chat template; start the server with --chat-template chatml|FILE"
    /// `system_fingerprint` in responses: identifies the model file and build.
    public var systemFingerprint = "apus"

    /// A configuration serving `servedModelName` with default limits.
    public init(servedModelName: String) {
        self.servedModelName = servedModelName
    }
}
