import ApusEngine
import Synchronization

/// The engine once it is loaded: `/health` answers 503 and `/v1` routes 503 until then, and
/// again once shutdown has begun.
public final class EngineSlot: Sendable {
    private let state = Mutex<(service: (any GenerationService)?, chat: ChatPrompt?, draining: Bool)>((nil, nil, false))
    private let rooflineModel = Mutex<RooflineModel?>(nil)

    /// An empty slot (the model is loading), or one holding `service`.
    public init(_ service: (any GenerationService)? = nil, chatPrompt: ChatPrompt? = nil) {
        state.withLock {
            $0.service = service
            $0.chat = chatPrompt
        }
    }

    /// Makes `service` available to requests, with the chat prompt builder of its model
    /// (nil when the model has no chat template: chat requests then get 400).
    public func install(_ service: any GenerationService, chatPrompt: ChatPrompt?) {
        state.withLock {
            $0.service = service
            $0.chat = chatPrompt
        }
    }

    /// The machine's roofline for the loaded model: requests then report their idealized
    /// runtime (`apus_timings`) and `/metrics` the fraction of it achieved.
    public var roofline: RooflineModel? {
        get { rooflineModel.withLock { $0 } }
        set { rooflineModel.withLock { $0 = newValue } }
    }

    /// The chat prompt builder, if the model has a template.
    public var chatPrompt: ChatPrompt? { state.withLock { $0.chat } }

    /// Refuses new generation requests from now on (graceful shutdown).
    public func beginDraining() {
        state.withLock { $0.draining = true }
    }

    /// The engine, or nil while loading.
    public var service: (any GenerationService)? { state.withLock { $0.service } }

    /// Whether shutdown has begun.
    public var isDraining: Bool { state.withLock { $0.draining } }

    /// The engine for a request, or 503 while loading or shutting down.
    func ready() throws(APIError) -> any GenerationService {
        let (service, draining) = state.withLock { ($0.service, $0.draining) }
        guard !draining else {
            throw APIError(status: .serviceUnavailable, message: "the server is shutting down", type: "server_error",
                           code: "shutting_down", retryAfter: 1)
        }
        guard let service else {
            throw APIError(status: .serviceUnavailable, message: "the model is still loading; retry shortly", type: "server_error",
                           code: "model_loading", retryAfter: 1)
        }
        return service
    }
}
