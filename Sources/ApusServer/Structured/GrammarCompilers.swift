import ApusEngine
import ApusGrammar
import ApusSampling
import ApusTokenizer
import Synchronization

/// The server's grammar compiler, built once from the engine's tokenizer on the first
/// constrained request (building the vocabulary trie is the expensive part) and shared by
/// every request after; it caches compiled grammars by source. Compilation runs on the
/// request's task, never on the engine thread.
final class GrammarCompilers: Sendable {
    private let state = Mutex<(service: ObjectIdentifier, compiler: GrammarCompiler)?>(nil)
    /// Grammars built here rather than from a `GrammarSource` (tool calls), by grammar.
    private let wrapped = Mutex<[Grammar: CompiledGrammar]>([:])
    private static let wrappedCapacity = 64

    /// The compiler for `service`'s vocabulary.
    func compiler(for service: any GenerationService) -> GrammarCompiler {
        state.withLock { current in
            if let current, current.service == ObjectIdentifier(service) { return current.compiler }
            let compiler = GrammarCompiler(tokenizer: service.tokenizer)
            current = (ObjectIdentifier(service), compiler)
            wrapped.withLock { $0.removeAll() }
            return compiler
        }
    }

    /// The per-choice constraint factory for `constraint`, or a 400 naming its parameter.
    func factory(for constraint: OutputConstraint, service: any GenerationService) throws(APIError) -> @Sendable () -> any TokenConstraint {
        let compiled: CompiledGrammar
        do {
            compiled = try compiler(for: service).compile(constraint.source)
        } catch {
            throw Self.apiError(error, param: constraint.param)
        }
        return { compiled.makeConstraint() }
    }

    /// The factory for a grammar assembled by the server (forced tool calls), compiled once per grammar.
    func factory(for grammar: Grammar, param: String, service: any GenerationService) throws(APIError) -> @Sendable () -> any TokenConstraint {
        let compiler = compiler(for: service)
        if let cached = wrapped.withLock({ $0[grammar] }) { return { cached.makeConstraint() } }
        let compiled: CompiledGrammar
        do {
            compiled = try CompiledGrammar(grammar, trie: compiler.trie, tokenizer: compiler.tokenizer)
        } catch {
            throw Self.apiError(error, param: param)
        }
        wrapped.withLock { cache in
            if cache.count >= Self.wrappedCapacity { cache.removeAll() }
            cache[grammar] = compiled
        }
        return { compiled.makeConstraint() }
    }

    /// A 400 naming `param` and saying what the grammar compiler rejected.
    static func apiError(_ error: GrammarError, param: String) -> APIError {
        switch error {
        case .unsupportedKeyword, .unsupportedValue:
            return .invalid("\(param): \(error)", param: param, code: "unsupported_value")
        default:
            return .invalid("\(param): \(error)", param: param, code: "invalid_value")
        }
    }
}

extension APIServer {
    /// The constraint factory for the output constraint in `body`, if the request has one.
    func constraintFactory(_ body: ChatValue, service: any GenerationService) throws(APIError) -> (@Sendable () -> any TokenConstraint)? {
        guard let constraint = try OutputConstraint.parse(body) else { return nil }
        return try grammars.factory(for: constraint, service: service)
    }
}
