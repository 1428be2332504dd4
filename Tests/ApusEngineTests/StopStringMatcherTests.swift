@testable import ApusEngine
import Testing

@Suite struct StopStringMatcherTests {
    /// Feeds `pieces` one by one; returns everything emitted and the stop string found.
    static func run(_ stops: [String], _ pieces: [String]) -> (String, String?) {
        var matcher = StopStringMatcher(stops)
        var emitted = ""
        for piece in pieces {
            let (text, stop) = matcher.push(piece)
            emitted += text
            if let stop { return (emitted, stop) }
        }
        return (emitted + matcher.flush(), nil)
    }

    @Test func stopStringSpanningTokensIsNeverEmitted() {
        #expect(Self.run(["END"], ["Hello E", "N", "D and more"]) == ("Hello ", "END"))
        #expect(Self.run(["\n\n"], ["a\n", "\nb"]) == ("a", "\n\n"))
    }

    @Test func heldBackTextIsReleasedWhenItCannotStartAStop() {
        var matcher = StopStringMatcher(["STOP"])
        #expect(matcher.push("ab ST").text == "ab ")
        #expect(matcher.push("ORM").text == "STORM")
        #expect(matcher.flush() == "")
    }

    @Test func earliestMatchWinsAndLongerOnTies() {
        #expect(Self.run(["world", "o"], ["hello world"]) == ("hell", "o"))
        #expect(Self.run(["ab", "abc"], ["xxabcd"]) == ("xx", "abc"))
    }

    @Test func multiByteCharactersAreNeverCut() {
        // The stop string begins with a character whose first byte also begins "é".
        #expect(Self.run(["è!"], ["café", " crè!"]) == ("café cr", "è!"))
        var matcher = StopStringMatcher(["🙂x"])
        let first = matcher.push("a🙂")
        #expect(first.text == "a")
        #expect(matcher.push("y").text == "🙂y")
    }

    @Test func inactiveMatcherEmitsEverything() {
        var matcher = StopStringMatcher(["x"])
        #expect(matcher.push("axb", active: false) == ("axb", nil))
        var none = StopStringMatcher([])
        #expect(none.push("anything").text == "anything")
    }
}
