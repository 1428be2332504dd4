/// Shared by the four-token kernels of the K-quants.
enum Dot4 {
    /// Four single dots, for CPUs without the AVX2 path.
    @inline(__always)
    static func portable<F: QuantFormat>(_ format: F.Type, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer,
                                         _ stride: Int, _ count: Int, _ results: UnsafeMutablePointer<Float>) {
        for t in 0..<4 { results[t] = F.dot(weights, activations + t * stride, count: count) }
    }
}
