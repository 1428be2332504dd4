/// Python string algorithms on Unicode scalars (Python strings index code points).
enum StringFunctions {
    static func strip(_ text: String, characters: String?, leading: Bool, trailing: Bool) -> String {
        let scalars = Array(text.unicodeScalars)
        let set = characters.map { Set($0.unicodeScalars) }
        func removable(_ scalar: Unicode.Scalar) -> Bool { set?.contains(scalar) ?? scalar.properties.isWhitespace }
        var start = 0, end = scalars.count
        if leading { while start < end, removable(scalars[start]) { start += 1 } }
        if trailing { while end > start, removable(scalars[end - 1]) { end -= 1 } }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }

    /// Start offsets (in scalars) of non-overlapping occurrences of `needle`.
    static func occurrences(of needle: String, in text: String) -> [Int] {
        let haystack = Array(text.unicodeScalars), pattern = Array(needle.unicodeScalars)
        guard !pattern.isEmpty else { return Array(0...haystack.count) }
        var result: [Int] = []
        var index = 0
        while index + pattern.count <= haystack.count {
            if haystack[index..<index + pattern.count].elementsEqual(pattern) {
                result.append(index)
                index += pattern.count
            } else {
                index += 1
            }
        }
        return result
    }

    static func replace(_ text: String, _ old: String, _ new: String, count: Int) -> String {
        let scalars = Array(text.unicodeScalars)
        var positions = occurrences(of: old, in: text)
        if count >= 0 { positions = Array(positions.prefix(count)) }
        var result = String.UnicodeScalarView()
        var cursor = 0
        let width = old.unicodeScalars.count
        for position in positions {
            result.append(contentsOf: scalars[cursor..<position])
            result.append(contentsOf: new.unicodeScalars)
            cursor = position + width
            // Python inserts `new` between every character when `old` is empty.
            if width == 0, position < scalars.count { result.append(scalars[position]); cursor = position + 1 }
        }
        if cursor < scalars.count { result.append(contentsOf: scalars[cursor...]) }
        return String(result)
    }

    /// `str.split` / `str.rsplit`: whitespace runs when `separator` is nil, at most `limit` splits.
    static func split(_ text: String, separator: String?, limit: Int, fromRight: Bool) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        guard let separator, !separator.isEmpty else {
            var words: [Range<Int>] = []
            var index = 0
            while index < scalars.count {
                while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
                let start = index
                while index < scalars.count, !scalars[index].properties.isWhitespace { index += 1 }
                if index > start { words.append(start..<index) }
            }
            guard limit >= 0, words.count > limit + 1 else {
                return words.map { String(String.UnicodeScalarView(scalars[$0])) }
            }
            if fromRight {
                let kept = words.suffix(limit)
                let head = strip(String(String.UnicodeScalarView(scalars[0..<kept.first!.lowerBound])), characters: nil,
                                 leading: false, trailing: true)
                return [head] + kept.map { String(String.UnicodeScalarView(scalars[$0])) }
            }
            let kept = words.prefix(limit)
            let tail = strip(String(String.UnicodeScalarView(scalars[kept.last!.upperBound...])), characters: nil,
                             leading: true, trailing: false)
            return kept.map { String(String.UnicodeScalarView(scalars[$0])) } + [tail]
        }
        var positions = occurrences(of: separator, in: text)
        if limit >= 0, positions.count > limit {
            positions = fromRight ? Array(positions.suffix(limit)) : Array(positions.prefix(limit))
        }
        var cursor = 0
        let width = separator.unicodeScalars.count
        for position in positions {
            pieces.append(String(String.UnicodeScalarView(scalars[cursor..<position])))
            cursor = position + width
        }
        pieces.append(String(String.UnicodeScalarView(scalars[cursor...])))
        return pieces
    }

    /// `str.title`: upper-case a letter that follows a non-letter, lower-case the rest.
    static func title(_ text: String) -> String {
        var result = ""
        var previousIsLetter = false
        for character in text {
            result += previousIsLetter ? character.lowercased() : character.uppercased()
            previousIsLetter = character.isLetter
        }
        return result
    }

    /// `str.capitalize`: first character upper case, the rest lower case.
    static func capitalize(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst().lowercased()
    }
}
