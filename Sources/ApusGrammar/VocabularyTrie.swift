import ApusTokenizer

/// The bytes of every token a grammar may allow, as a byte trie stored in depth-first
/// order: walking the nodes in index order visits each shared prefix once, and a dead
/// prefix skips its whole subtree by jumping to `subtreeEnd`.
///
/// Control, unknown, unused and user-defined tokens are left out, so no grammar can ever
/// allow them (end-of-generation tokens are the engine's business).
public final class VocabularyTrie: Sendable {
    /// Tokens in the vocabulary (mask width).
    public let vocabularySize: Int
    /// Bytes of each token id (empty for tokens left out).
    let tokenBytes: [[UInt8]]
    /// Whether each token id is in the trie.
    let eligible: [Bool]
    /// Byte on the edge into each node.
    let nodeByte: [UInt8]
    /// Depth of each node (1 for a token's first byte).
    let nodeDepth: [Int32]
    /// Parent of each node, -1 at depth 1.
    let nodeParent: [Int32]
    /// One past the last node of each node's subtree.
    let subtreeEnd: [Int32]
    /// Tokens ending at node `n`: `nodeTokens[nodeTokenStart[n]..<nodeTokenStart[n + 1]]`.
    let nodeTokenStart: [Int32]
    let nodeTokens: [Int32]

    /// Number of trie nodes.
    public var nodeCount: Int { nodeByte.count }

    /// The trie of `tokenizer`'s ordinary tokens.
    public convenience init(tokenizer: Tokenizer) {
        let vocabulary = tokenizer.vocabulary
        var bytes: [[UInt8]] = []
        bytes.reserveCapacity(vocabulary.count)
        let excluded: TokenAttributes = [.control, .unknown, .unused, .userDefined]
        for id in 0..<vocabulary.count {
            let attributes = vocabulary.attributes[id]
            bytes.append(attributes.isDisjoint(with: excluded) ? tokenizer.piece(Int32(id)) : [])
        }
        self.init(tokenBytes: bytes)
    }

    /// The trie of `tokenBytes` (token id = index); empty entries are left out.
    public init(tokenBytes: [[UInt8]]) {
        vocabularySize = tokenBytes.count
        self.tokenBytes = tokenBytes
        eligible = tokenBytes.map { !$0.isEmpty }
        let order = tokenBytes.indices.filter { !tokenBytes[$0].isEmpty }
            .sorted { tokenBytes[$0].lexicographicallyPrecedes(tokenBytes[$1]) }
        var byte: [UInt8] = [], depth: [Int32] = [], parent: [Int32] = [], end: [Int32] = []
        var tokenStart: [Int32] = [], tokens: [Int32] = []
        var path: [Int32] = []          // open nodes, one per depth
        var previous: [UInt8] = []
        for id in order {
            let text = tokenBytes[id]
            var shared = 0
            while shared < min(text.count, previous.count) && text[shared] == previous[shared] { shared += 1 }
            while path.count > shared {
                end[Int(path.removeLast())] = Int32(byte.count)
            }
            for position in shared..<text.count {
                parent.append(path.last ?? -1)
                path.append(Int32(byte.count))
                byte.append(text[position])
                depth.append(Int32(position + 1))
                end.append(0)
                tokenStart.append(Int32(tokens.count))
            }
            // Tokens are sorted, so a node's tokens are appended while it is the newest node.
            tokens.append(Int32(id))
            previous = text
        }
        while let node = path.popLast() { end[Int(node)] = Int32(byte.count) }
        tokenStart.append(Int32(tokens.count))
        nodeByte = byte
        nodeDepth = depth
        nodeParent = parent
        subtreeEnd = end
        nodeTokenStart = tokenStart
        nodeTokens = tokens
    }

    /// Bytes of token `id`, empty when it is not in the trie.
    public func bytes(of id: Int) -> [UInt8] {
        id >= 0 && id < vocabularySize ? tokenBytes[id] : []
    }

    /// Sets the bits of the tokens ending at `node` in `words`.
    @inline(__always)
    func insertTokens(at node: Int, into words: inout [UInt64]) {
        for index in Int(nodeTokenStart[node])..<Int(nodeTokenStart[node + 1]) {
            let token = Int(nodeTokens[index])
            words[token >> 6] |= 1 << UInt64(token & 63)
        }
    }

    /// The nodes from depth 1 down to `node`.
    func path(to node: Int) -> [Int32] {
        var result: [Int32] = []
        var current = Int32(node)
        while current >= 0 {
            result.append(current)
            current = nodeParent[Int(current)]
        }
        return result.reversed()
    }
}
