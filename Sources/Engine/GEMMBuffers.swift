#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread packing buffers for the GEMM, kept in thread-local storage.
///
/// Each thread that runs GEMM work owns one `GEMMBuffers`; it grows to the largest block
/// seen and is then reused, so steady-state calls allocate nothing. Thread-local (rather than
/// one global set) because callers may run GEMMs from several threads at once, e.g. inside
/// their own `parallelFor`. The pthread destructor frees the buffers when a thread exits.
final class GEMMBuffers {
    private(set) var a: UnsafeMutablePointer<Float>
    private(set) var b: UnsafeMutablePointer<Float>
    /// A 6x16 tile of scratch for edge tiles.
    let tile: UnsafeMutablePointer<Float>
    private var aCapacity = 0
    private var bCapacity = 0

    init() {
        a = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        b = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        tile = GEMMBuffers.alignedAllocate(GEMMBlocking.mr * GEMMBlocking.nr)
    }

    deinit {
        a.deallocate(); b.deallocate(); tile.deallocate()
    }

    /// Makes room for `countA` floats of packed A and `countB` floats of packed B.
    @inline(__always)
    func reserve(a countA: Int, b countB: Int) {
        if countA > aCapacity {
            a.deallocate()
            a = GEMMBuffers.alignedAllocate(countA)
            aCapacity = countA
        }
        if countB > bCapacity {
            b.deallocate()
            b = GEMMBuffers.alignedAllocate(countB)
            bCapacity = countB
        }
    }

    /// 64-byte (cache line) aligned allocation, so packed panels never straddle lines.
    private static func alignedAllocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(1, count))
    }

    /// The calling thread's buffers, created on first use.
    @inline(__always)
    static var current: GEMMBuffers {
        if let raw = pthread_getspecific(gemmBuffersKey) {
            return Unmanaged<GEMMBuffers>.fromOpaque(raw).takeUnretainedValue()
        }
        let fresh = GEMMBuffers()
        pthread_setspecific(gemmBuffersKey, Unmanaged.passRetained(fresh).toOpaque())
        return fresh
    }
}

/// Key for `GEMMBuffers.current`; the destructor drops the thread's retained buffers.
private let gemmBuffersKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { raw in
        #if canImport(Darwin)
        Unmanaged<GEMMBuffers>.fromOpaque(raw).release()
        #else
        if let raw { Unmanaged<GEMMBuffers>.fromOpaque(raw).release() }
        #endif
    }
    return key
}()
