import ArgumentParser
import Foundation

/// The model argument every model command takes: a catalog name or a path to a .gguf file.
struct ModelOptions: ParsableArguments {
    @Argument(help: "A catalog model name (see `apus list`) or a path to a .gguf file.")
    var model: String

    /// The path of the model file; fails with a clear message if it does not exist.
    func resolvedPath() throws -> String {
        guard FileManager.default.fileExists(atPath: model) else {
            throw ValidationError("no model file at '\(model)'")
        }
        return model
    }
}
