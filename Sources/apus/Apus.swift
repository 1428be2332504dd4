import ArgumentParser

/// The `apus` command: run, inspect and fetch GGUF models.
@main
struct Apus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apus",
        abstract: "A Swift LLM inference engine for Linux CPUs.",
        subcommands: [Bench.self]
    )
}
