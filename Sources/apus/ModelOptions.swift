import ApusStore
import ArgumentParser
import Foundation

/// The model argument every model command takes: a catalog name or a path to a .gguf file.
struct ModelOptions: ParsableArguments {
    @Argument(help: "A catalog model name (see `apus list`) or a path to a .gguf file.")
    var model: String

    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?

    /// The path of the model file: a pulled catalog model or an existing GGUF file.
    func resolvedPath() throws -> String {
        try ModelStore(directory: ModelsDirectory.resolve(override: modelsDir)).resolve(model).path
    }
}
