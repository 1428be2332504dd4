import ApusStore
import ArgumentParser
import Foundation

/// Resolves a catalog name or a path to a model file.
func resolveModel(_ nameOrPath: String, modelsDir: String?) throws -> String {
    try ModelStore(directory: ModelsDirectory.resolve(override: modelsDir)).resolve(nameOrPath).path
}

/// The model argument of `apus inspect`: a catalog name or a path to a .gguf file.
struct ModelOptions: ParsableArguments {
    @Argument(help: "A catalog model name (see `apus list`) or a path to a .gguf file.")
    var model: String

    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?

    /// The path of the model file: a pulled catalog model or an existing GGUF file.
    func resolvedPath() throws -> String { try resolveModel(model, modelsDir: modelsDir) }
}

/// The `-m MODEL` option of the commands that run a model.
struct ModelOption: ParsableArguments {
    @Option(name: [.short, .customLong("model")], help: "A catalog model name (see `apus list`) or a path to a .gguf file.")
    var model: String

    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?

    @Option(name: [.short, .customLong("threads")], help: "Threads for the kernels.")
    var threads: Int = min(ThreadCount.online, 2)

    /// The path of the model file.
    func resolvedPath() throws -> String { try resolveModel(model, modelsDir: modelsDir) }
}

/// CPU count helper.
enum ThreadCount {
    /// Online CPUs.
    static var online: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
