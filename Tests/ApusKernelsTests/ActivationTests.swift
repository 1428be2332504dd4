import ApusKernels
import Testing

@Suite("Activations")
struct ActivationTests {
    /// The eight-wide GeGLU equals the element-by-element table lookup bit for bit: across
    /// the table's range, at the ±10 cut-offs, for infinities and NaN, and in the tail.
    @Test(arguments: [1, 8, 13, 640])
    func gegluTanhMatchesItsReference(count: Int) {
        var generator = SeededGenerator(seed: UInt64(count))
        let special: [Float] = [-10, 10, -10.000001, 9.999999, 0, -0.0, .infinity, -.infinity, .nan, 1e-8, -3.5, 65504, 70000]
        let gate = (0..<count).map { i -> Float in
            i < special.count && count > 8 ? special[i] : Float.random(in: -12...12, using: &generator)
        }
        let up = (0..<count).map { _ in Float.random(in: -2...2, using: &generator) }
        var fast = gate, slow = gate
        Activations.gegluTanh(&fast, up, count: count)
        Activations.gegluTanhReference(&slow, up, count: count)
        for i in 0..<count {
            #expect(fast[i].bitPattern == slow[i].bitPattern || (fast[i].isNaN && slow[i].isNaN),
                    "gelu(\(gate[i])) · \(up[i]): \(fast[i]) vs \(slow[i])")
        }
        // The table is GELU itself away from the cut-offs (to half precision).
        var one: [Float] = [1], unit: [Float] = [1]
        Activations.gegluTanh(&one, &unit, count: 1)
        #expect(abs(one[0] - 0.8412) < 1e-3)
    }
}
