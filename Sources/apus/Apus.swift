import ArgumentParser

/// The `apus` command: run, inspect and fetch GGUF models.
@main
struct Apus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apus",
        abstract: "A Swift LLM inference engine for Linux CPUs.",
        subcommands: [Run.self, Chat.self, Serve.self, Perplexity.self, Bench.self, Tokenize.self, Inspect.self, PullCommand.self, ListCommand.self]
    )
}
