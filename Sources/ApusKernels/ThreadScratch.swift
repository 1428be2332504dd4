#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable byte buffer per thread, for kernels that unpack a block of weights once and
/// then reuse it for every token of a batch.
///
/// The pool's threads live as long as the pool, so after the first few products each
/// thread's buffer has reached its largest size and the forward pass allocates nothing.
/// A buffer is freed when its thread exits.
enum ThreadScratch {
    /// Bytes before the usable area: the capacity, padded so the area stays 64-byte aligned.
    private static let header = 64

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { buffer in free(buffer) }
        precondition(status == 0, "pthread_key_create failed (\(status)): no thread-local scratch for the matrix kernels")
        return key
    }()

    /// Calls `body` with at least `bytes` bytes, 64-byte aligned, that belong to the calling
    /// thread. Not reentrant: `body` must not call `withBytes` itself, since the buffer may move.
    @inline(__always)
    static func withBytes<R>(_ bytes: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        if let buffer = pthread_getspecific(key), buffer.load(as: Int.self) >= bytes {
            return body(buffer + header)
        }
        return body(grow(to: bytes) + header)
    }

    /// Replaces the thread's buffer by one of at least `bytes` bytes (at least double the
    /// old size, so a slowly growing demand reallocates only a few times).
    @inline(never)
    private static func grow(to bytes: Int) -> UnsafeMutableRawPointer {
        let old = pthread_getspecific(key)
        let capacity = max(bytes, 2 * (old?.load(as: Int.self) ?? 0), 1 << 16)
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, header, header + capacity) == 0, let buffer = raw else {
            fatalError("out of memory for \(capacity) bytes of matrix kernel scratch")
        }
        free(old)
        buffer.storeBytes(of: capacity, as: Int.self)
        pthread_setspecific(key, buffer)
        return buffer
    }
}
