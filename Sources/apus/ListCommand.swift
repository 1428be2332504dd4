import ApusStore
import ArgumentParser
import Foundation

/// `apus list [--models-dir DIR] [--json]`: the catalog and what is present locally.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show the model catalog and which models are present locally.",
        discussion: """
            present: pulled and verified. unverified: a file is there but was not checked \
            (or changed since); `apus pull NAME` verifies or replaces it. absent: not pulled.
            """
    )

    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let store = ModelStore(directory: ModelsDirectory.resolve(override: modelsDir))
        let rows = store.status()
        if json {
            print(try jsonText(rows))
        } else {
            print(table(rows, directory: store.directory))
        }
    }

    private struct Row: Encodable {
        let name: String
        let description: String
        let size: Int64
        let status: String
        let path: String
        let sha256: String
        let packages: [String]
    }

    private func jsonText(_ rows: [ModelStatus]) throws -> String {
        let encodable = rows.map { row in
            Row(name: row.entry.name, description: row.entry.description, size: row.entry.size,
                status: row.presence.rawValue, path: row.path.path, sha256: row.entry.sha256,
                packages: row.entry.parts.map(\.requirement))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(encodable), as: UTF8.self)
    }

    private func table(_ rows: [ModelStatus], directory: URL) -> String {
        let header = ["NAME", "SIZE", "STATUS", "DESCRIPTION", "PATH"]
        let cells = rows.map { row in
            [row.entry.name, formatBytes(row.entry.size), row.presence.rawValue, row.entry.description,
             row.presence == .absent ? "-" : row.path.path]
        }
        let widths = header.indices.map { column in
            ([header] + cells).map { $0[column].count }.max() ?? 0
        }
        let lines = ([header] + cells).map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return (lines + ["", "models directory: \(directory.path)"]).joined(separator: "\n")
    }
}
