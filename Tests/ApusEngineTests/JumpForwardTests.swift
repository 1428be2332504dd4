import ApusEngine
import ApusGrammar
import ApusSampling
import Foundation
import Testing

/// Jump-forward decoding on a real model: the text a JSON schema forces (its keys) is taken
/// without sampling, in fewer engine steps, and the output still matches the schema.
@Suite(.serialized) struct JumpForwardTests {
    static let schema = """
        {"type": "object", "properties": {
          "customer_identification_number": {"enum": [1024, 2048]},
          "preferred_communication_channel": {"enum": ["email", "telephone"]},
          "international_shipping_destination": {"type": "boolean"}},
         "required": ["customer_identification_number", "preferred_communication_channel",
                      "international_shipping_destination"],
         "additionalProperties": false}
        """

    /// Runs the schema-constrained request with jump-forward on or off; the completion and
    /// the engine steps it took.
    private func run(_ loaded: EngineTests.Loaded, jumpForward: Bool) throws -> (EngineTestSupport.Completion, Int) {
        var configuration = EngineConfiguration()
        configuration.maxSequences = 4
        configuration.maxBatchTokens = 64
        configuration.kvCacheTokens = 2048
        configuration.jumpForward = jumpForward
        let engine = try Engine(model: loaded.model, tokenizer: loaded.tokenizer, configuration: configuration)
        defer { engine.shutdown() }
        let grammar = try GrammarCompiler(tokenizer: loaded.tokenizer).compile(.jsonSchema(Self.schema))
        let prompt = loaded.tokenizer.encode("A customer record as JSON:\n").map(Int.init)
        let completion = try EngineTestSupport.complete(engine, prompt: prompt, maxTokens: 120) {
            $0.constraint = { grammar.makeConstraint() }
        }
        return (completion, engine.metrics().steps)
    }

    @Test func forcedKeysTakeFewerStepsAndStillMatchTheSchema() throws {
        guard let loaded = try EngineTests.Loaded("smollm2-135m", sequences: 4) else { return }
        let (sampled, sampledSteps) = try run(loaded, jumpForward: false)
        let (jumped, jumpedSteps) = try run(loaded, jumpForward: true)
        for completion in [sampled, jumped] {
            #expect(completion.finish == .stop, "\(completion.text)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(completion.text.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["customer_identification_number", "preferred_communication_channel",
                                         "international_shipping_destination"], "\(completion.text)")
            #expect(completion.usage.completionTokens == completion.tokens.count)
        }
        // Every key is fixed text of several tokens: a step per token without jump-forward,
        // one chunk per key with it.
        #expect(jumpedSteps + 20 <= sampledSteps, "steps with jump-forward \(jumpedSteps), without \(sampledSteps)")
    }
}
