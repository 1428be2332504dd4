import Foundation

/// Chooses the directory pulled models live in.
public enum ModelsDirectory {
    /// The environment variable that overrides the default directory.
    public static let environmentVariable = "APUS_MODELS"

    /// `override` (from `--models-dir`) if given, else `$APUS_MODELS`, else `~/.cache/apus/models`.
    ///
    /// A leading `~` is expanded and relative paths are taken from the current directory,
    /// so the same string means the same place for the CLI and for tests.
    public static func resolve(
        override: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let override, !override.isEmpty {
            return url(forUserPath: override)
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return url(forUserPath: fromEnvironment)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/apus/models", isDirectory: true)
    }

    /// An absolute, standardized file URL for a path a user typed.
    static func url(forUserPath path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        return URL(fileURLWithPath: expanded).standardizedFileURL
    }
}
