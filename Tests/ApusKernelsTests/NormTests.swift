import ApusKernels
import Testing

/// RMSNorm: the fast row equals the reference bit for bit, and both follow the formula.
@Suite("Norms")
struct NormTests {
    @Test(arguments: [1, 7, 576, 2048])
    func rmsNormMatchesReferenceAndFormula(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let x = randomFloats(count, &rng).map { $0 * 3 }
        let weight = randomFloats(count, &rng)
        var fast = [Float](repeating: .nan, count: count), reference = fast, plain = fast
        Norms.rmsNorm(x, weight: weight, epsilon: 1e-6, count: count, into: &fast)
        Norms.rmsNormReference(x, weight: weight, epsilon: 1e-6, count: count, into: &reference)
        Norms.rmsNorm(x, weight: nil, epsilon: 1e-6, count: count, into: &plain)
        #expect(fast == reference)
        let meanSquare = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(count)
        let scale = 1 / (meanSquare + 1e-6).squareRoot()
        for i in 0..<count {
            #expect(abs(Double(plain[i]) - Double(x[i]) * scale) <= 1e-5 * max(1, abs(Double(x[i]) * scale)))
        }
    }
}
