/// How a token behaves, from `tokenizer.ggml.token_type` (same bits as llama.cpp's attributes).
public struct TokenAttributes: OptionSet, Sendable, Hashable {
    /// The flag bits.
    public let rawValue: UInt16
    /// Flags from their bits.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The unknown-token placeholder.
    public static let unknown = TokenAttributes(rawValue: 1 << 0)
    /// Reserved and never produced.
    public static let unused = TokenAttributes(rawValue: 1 << 1)
    /// An ordinary piece of text.
    public static let normal = TokenAttributes(rawValue: 1 << 2)
    /// A control token (BOS, `<|im_start|>`): only produced from text when parsing specials.
    public static let control = TokenAttributes(rawValue: 1 << 3)
    /// Added by the model's authors; matched in text before splitting, even without parsing specials.
    public static let userDefined = TokenAttributes(rawValue: 1 << 4)
    /// A byte-fallback token `<0xXX>`.
    public static let byte = TokenAttributes(rawValue: 1 << 5)
    /// When matched in text, whitespace to its left is dropped.
    public static let leftStrip = TokenAttributes(rawValue: 1 << 7)
    /// When matched in text, whitespace to its right is dropped.
    public static let rightStrip = TokenAttributes(rawValue: 1 << 8)

    /// The attributes for a GGUF token type (1 normal, 2 unknown, 3 control, 4 user-defined,
    /// 5 unused, 6 byte; anything else is undefined = no bits).
    public init(ggufTokenType type: Int) {
        switch type {
        case 1: self = .normal
        case 2: self = .unknown
        case 3: self = .control
        case 4: self = .userDefined
        case 5: self = .unused
        case 6: self = .byte
        default: self = []
        }
    }
}
