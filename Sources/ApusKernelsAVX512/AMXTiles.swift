#if arch(x86_64)
import ApusKernelsAMX

/// The AMX tile unit as this process may use it.
public enum AMXTiles {
    /// Whether the tiles work in this process: runs one small tile product with SIGILL caught
    /// (a VM may advertise AMX and still trap it) and checks it against plain integer code.
    /// Call only after Linux granted the tile state; a false answer leaves AMX off.
    public static func probe() -> Bool { apus_amx_probe() == 1 }
}
#endif
