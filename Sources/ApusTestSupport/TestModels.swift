import Foundation

/// Locates the real models and reference data that tests run against.
///
/// Models live where `apus pull` puts them: `$APUS_MODELS` or `~/.cache/apus/models`,
/// as `NAME.gguf`. llama.cpp's vocabulary and template files live where
/// `scripts/fetch-llama-cpp-sdist.sh` unpacks them: `$APUS_LLAMA_CPP_DIR` or
/// `~/.cache/apus/llama-cpp`. In CI (`CI` set) a missing file is an error, so a test can
/// never pass by not running; on a developer's machine the test is skipped instead.
public enum TestModels {
    /// The directory holding pulled models.
    public static var modelsDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["APUS_MODELS"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/apus/models")
    }

    /// The directory holding llama.cpp's `models/` folder from its source distribution.
    public static var llamaCppDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["APUS_LLAMA_CPP_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/apus/llama-cpp")
    }

    /// Whether this run is in CI, where missing test data must fail the run.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// Path of the catalog model `name` if present. Throws in CI when it is missing;
    /// returns nil elsewhere so the caller can skip.
    public static func path(_ name: String) throws -> String? {
        try existing(modelsDirectory.appendingPathComponent("\(name).gguf"), what: "model \(name)",
                     fix: "run `apus pull \(name)`")
    }

    /// Path of llama.cpp's `models/` directory if present (see `path(_:)` for CI rules).
    public static func llamaCppModels() throws -> String? {
        try existing(llamaCppDirectory.appendingPathComponent("models"), what: "llama.cpp models folder",
                     fix: "run scripts/fetch-llama-cpp-sdist.sh")
    }

    private static func existing(_ url: URL, what: String, fix: String) throws -> String? {
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        if isCI { throw MissingTestData(description: "\(what) not found at \(url.path): \(fix)") }
        return nil
    }
}

/// Thrown in CI when a test's data file is missing.
public struct MissingTestData: Error, CustomStringConvertible {
    public let description: String
}
