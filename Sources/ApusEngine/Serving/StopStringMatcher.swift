/// Finds stop strings in streamed text. Text that could still turn out to start a stop
/// string is held back until it can be decided, so a stop string is never emitted, even
/// when it spans several tokens, and text is never cut inside a UTF-8 character.
///
/// Works on bytes: a stop string (valid UTF-8) begins with a lead byte, so both a match and
/// a held-back suffix start on a character boundary of the (valid UTF-8) text.
struct StopStringMatcher {
    private let stops: [[UInt8]]
    private var pending: [UInt8] = []

    /// A matcher for `stops` (empty strings are ignored).
    init(_ stops: [String]) {
        self.stops = stops.map { Array($0.utf8) }.filter { !$0.isEmpty }
    }

    /// Adds `text`; returns the text that is safe to emit and the stop string found, if any
    /// (the text before it is emitted, the rest dropped). With `active` false, stop strings are
    /// not looked for yet (before `min_tokens`) and everything is emitted.
    mutating func push(_ text: String, active: Bool = true) -> (text: String, stop: String?) {
        pending += text.utf8
        guard active, !stops.isEmpty else { return (flush(), nil) }
        if let (index, stop) = earliestMatch() {
            let emitted = String(decoding: pending[..<index], as: UTF8.self)
            pending = []
            return (emitted, String(decoding: stop, as: UTF8.self))
        }
        let held = longestHeldSuffix()
        let emitted = String(decoding: pending[..<(pending.count - held)], as: UTF8.self)
        pending.removeFirst(pending.count - held)
        return (emitted, nil)
    }

    /// Everything held back (the output ended for another reason).
    mutating func flush() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The first position where some stop string starts (the longest one on ties).
    private func earliestMatch() -> (Int, [UInt8])? {
        var best: (Int, [UInt8])?
        for stop in stops where stop.count <= pending.count {
            for start in 0...(pending.count - stop.count) where pending[start] == stop[0] {
                if pending[start..<(start + stop.count)].elementsEqual(stop) {
                    if best == nil || start < best!.0 || (start == best!.0 && stop.count > best!.1.count) {
                        best = (start, stop)
                    }
                    break
                }
            }
        }
        return best
    }

    /// Length of the longest suffix of the pending text that is a proper prefix of a stop string.
    private func longestHeldSuffix() -> Int {
        var longest = 0
        for stop in stops {
            var length = min(stop.count - 1, pending.count)
            while length > longest {
                if pending[(pending.count - length)...].elementsEqual(stop[..<length]) { longest = length; break }
                length -= 1
            }
        }
        return longest
    }
}
