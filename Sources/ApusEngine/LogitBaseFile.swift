import Foundation

/// llama-perplexity's file of base log-probabilities (`--kl-divergence-base FILE`), read and
/// written byte for byte as llama.cpp does, so a base written by either program can be
/// compared against by the other.
///
/// Layout (little-endian):
/// ```
/// "_logits_"                       8 bytes
/// n_ctx, n_vocab, n_chunk          3 × i32
/// tokens                           n_chunk · n_ctx × i32  (the text's tokens, no BOS substitution)
/// per chunk, per scored position   (n_ctx − 1 − n_ctx/2 positions: the second half of the window
///                                  but the last)
///   record                         nv = 2·⌈n_vocab/2⌉ + 4 u16:
///                                  f32 scale, f32 minLogProb, then n_vocab u16 q with
///                                  log p(i) = scale · q(i) + minLogProb
/// ```
/// llama.cpp quantizes each row's logits over the 16 nats below the largest (smaller ones
/// are stored as 0), so the stored log-probabilities are good to ~2.5e-4.
public struct LogitBaseFile {
    /// Window length in tokens.
    public let contextLength: Int
    /// Logits per row.
    public let vocabularySize: Int
    /// Windows in the file.
    public let chunkCount: Int
    /// The evaluated tokens: `chunkCount · contextLength` ids.
    public let tokens: [Int]
    /// Scored rows per window.
    public var rowsPerChunk: Int { Self.rowsPerChunk(contextLength: contextLength) }
    /// u16 words per record.
    public var recordWords: Int { Self.recordWords(vocabularySize: vocabularySize) }

    private let path: String
    private let handle: FileHandle
    private let recordsOffset: UInt64

    static let magic = Array("_logits_".utf8)

    /// Scored rows per window of `contextLength` tokens: positions `n_ctx/2 … n_ctx − 2`.
    public static func rowsPerChunk(contextLength: Int) -> Int { contextLength - 1 - contextLength / 2 }
    /// u16 words per record for a vocabulary of `vocabularySize`.
    public static func recordWords(vocabularySize: Int) -> Int { 2 * ((vocabularySize + 1) / 2) + 4 }

    /// Opens `path` and reads its header and tokens.
    public init(reading path: String) throws(LogitBaseError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .cannotOpen(path: path) }
        self.handle = handle
        self.path = path
        func read(_ count: Int) throws(LogitBaseError) -> Data {
            let data = (try? handle.read(upToCount: count)) ?? Data()
            guard data.count == count else { throw .truncated(path: path) }
            return data
        }
        guard [UInt8](try read(8)) == Self.magic else { throw .notABase(path: path) }
        let header = try read(12)
        let values = (0..<3).map { i in header.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) } }
        contextLength = values[0]
        vocabularySize = values[1]
        chunkCount = values[2]
        guard contextLength >= 8, vocabularySize > 0, chunkCount > 0, chunkCount < 1 << 20, contextLength < 1 << 24 else {
            throw .badHeader(path: path, contextLength: contextLength, vocabularySize: vocabularySize, chunks: chunkCount)
        }
        let tokenCount = values[2] * values[0]
        let tokenData = try read(4 * tokenCount)
        tokens = tokenData.withUnsafeBytes { raw in
            (0..<tokenCount).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        }
        recordsOffset = UInt64(20 + tokenData.count)
    }

    /// The `rowsPerChunk` records of window `chunk`, back to back.
    public func records(chunk: Int) throws(LogitBaseError) -> [UInt16] {
        let words = rowsPerChunk * recordWords
        do {
            try handle.seek(toOffset: recordsOffset + UInt64(2 * words * chunk))
        } catch {
            throw .truncated(path: path)
        }
        let data = (try? handle.read(upToCount: 2 * words)) ?? Data()
        guard data.count == 2 * words else { throw .truncated(path: path) }
        return data.withUnsafeBytes { raw in (0..<words).map { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) } }
    }

    /// The header and tokens of a new base file, as llama-perplexity writes them.
    public static func header(contextLength: Int, vocabularySize: Int, chunks: Int, tokens: ArraySlice<Int>) -> Data {
        var data = Data(magic)
        for value in [contextLength, vocabularySize, chunks] + Array(tokens) {
            withUnsafeBytes(of: Int32(truncatingIfNeeded: value).littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// One row's record, as llama-perplexity's `log_softmax` writes it: the logits within
    /// 16 of the largest quantized to 16 bits over that range. Returns the record and
    /// −log p(`target`).
    public static func record(_ logits: UnsafeBufferPointer<Float>, target: Int) -> (words: [UInt16], negativeLogProbability: Double) {
        var maxLogit = logits[0], minLogit = logits[0]
        for value in logits.dropFirst() {
            maxLogit = max(maxLogit, value)
            minLogit = min(minLogit, value)
        }
        minLogit = max(minLogit, maxLogit - 16)
        var sumExp = 0.0
        for value in logits { sumExp += Double(expf(value - maxLogit)) }
        let logSumExp = Float(log(sumExp))
        let minLogProb = minLogit - maxLogit - logSumExp
        let scale = (maxLogit - minLogit) / 65535
        var words = [UInt16](repeating: 0, count: recordWords(vocabularySize: logits.count))
        withUnsafeBytes(of: scale.bitPattern.littleEndian) { words[0] = UInt16($0[0]) | UInt16($0[1]) << 8; words[1] = UInt16($0[2]) | UInt16($0[3]) << 8 }
        withUnsafeBytes(of: minLogProb.bitPattern.littleEndian) { words[2] = UInt16($0[0]) | UInt16($0[1]) << 8; words[3] = UInt16($0[2]) | UInt16($0[3]) << 8 }
        if scale != 0 {
            let inverse = 1 / scale
            for (i, value) in logits.enumerated() where value > minLogit {
                words[4 + i] = UInt16(truncatingIfNeeded: nearestInt(inverse * (value - minLogit)))
            }
        }
        return (words, Double(maxLogit + logSumExp - logits[target]))
    }

    /// Scale and offset of a record (its first four words).
    @inline(__always)
    static func scaleAndMinimum(_ record: UnsafeBufferPointer<UInt16>) -> (scale: Float, minLogProb: Float) {
        (Float(bitPattern: UInt32(record[0]) | UInt32(record[1]) << 16),
         Float(bitPattern: UInt32(record[2]) | UInt32(record[3]) << 16))
    }

    /// ggml's `nearest_int`: round to nearest, ties to even, by the 1.5·2²³ trick.
    @inline(__always)
    static func nearestInt(_ value: Float) -> Int32 {
        let shifted = value + 12_582_912
        return Int32(bitPattern: shifted.bitPattern & 0x007F_FFFF) - 0x0040_0000
    }
}

/// Why a KL-divergence base could not be read or used.
public enum LogitBaseError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened.
    case cannotOpen(path: String)
    /// The file does not start with `_logits_`.
    case notABase(path: String)
    /// The file ends early.
    case truncated(path: String)
    /// The header's sizes are impossible.
    case badHeader(path: String, contextLength: Int, vocabularySize: Int, chunks: Int)
    /// The base was written for another vocabulary.
    case vocabularyMismatch(base: Int, model: Int)
    /// A token id in the base is not in the model's vocabulary.
    case tokenOutOfRange(token: Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path):
            return "cannot open the KL-divergence base '\(path)': check the path (write one with --kl-divergence-base FILE without --kl-divergence)"
        case let .notABase(path):
            return "'\(path)' is not a KL-divergence base (it does not start with _logits_): pass a file written by --kl-divergence-base"
        case let .truncated(path):
            return "the KL-divergence base ends early (\(path)): rewrite it; the run that wrote it may have been interrupted"
        case let .badHeader(path, contextLength, vocabularySize, chunks):
            return "'\(path)' has an impossible header (n_ctx \(contextLength), n_vocab \(vocabularySize), \(chunks) chunks): rewrite the base"
        case let .vocabularyMismatch(base, model):
            return "the base has \(base) logits per row but the model \(model): compare against a base written for the same model family"
        case let .tokenOutOfRange(token, vocabularySize):
            return "the base holds token \(token), outside the model's vocabulary of \(vocabularySize): it was written for another model"
        }
    }
}
