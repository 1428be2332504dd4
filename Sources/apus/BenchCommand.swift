import ArgumentParser

/// `apus bench`: performance measurements. Kernels now; a whole-model benchmark
/// (`apus bench -m MODEL`) will become the default subcommand.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Apus performance.",
        subcommands: [BenchModel.self, BenchKernels.self, BenchThroughput.self, BenchServe.self, BenchSweep.self, BenchGrammar.self],
        defaultSubcommand: BenchModel.self
    )
}
