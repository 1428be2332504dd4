import ApusStore
import Foundation
import Testing

@Suite("Models directory")
struct ModelsDirectoryTests {
    @Test("--models-dir wins over APUS_MODELS, which wins over the default")
    func precedence() {
        let environment = ["APUS_MODELS": "/srv/apus-models", "HOME": "/home/someone"]
        #expect(ModelsDirectory.resolve(override: "/data/models", environment: environment).path == "/data/models")
        #expect(ModelsDirectory.resolve(override: nil, environment: environment).path == "/srv/apus-models")
        let fallback = ModelsDirectory.resolve(override: nil, environment: [:])
        #expect(fallback.path.hasSuffix("/.cache/apus/models"))
        #expect(ModelsDirectory.resolve(override: "", environment: ["APUS_MODELS": ""]) == fallback)
    }

    @Test("a leading tilde and relative paths become absolute")
    func expansion() {
        let home = FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL.path
        #expect(ModelsDirectory.resolve(override: "~/m", environment: [:]).path == home + "/m")
        let relative = ModelsDirectory.resolve(override: "some/dir", environment: [:]).path
        #expect(relative.hasPrefix("/") && relative.hasSuffix("/some/dir"))
    }
}
