// AMX int8 tile operations for Apus's batched K-quant kernels.
//
// The tile intrinsics are macros taking immediate tile numbers, which do not import into
// Swift, so this target holds only tile configuration, loads, the signed-by-unsigned dot
// product and stores. Everything else (unpacking, scales, float accumulation, scheduling)
// is Swift in ApusKernelsAVX512. This target alone is compiled with -mamx-tile -mamx-int8;
// nothing here may run unless the process was granted the tile state and
// apus_amx_probe() returned 1.
#ifndef APUS_KERNELS_AMX_H
#define APUS_KERNELS_AMX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Runs one small tile product with SIGILL caught (a VM may advertise AMX and still trap the
/// instructions) and checks its result against plain C. Returns 1 when the tiles work in this
/// process, 0 otherwise. Call once, after the Linux permission request succeeded.
int apus_amx_probe(void);

/// Loads this thread's tile configuration for sub-block products of `kBytes` values
/// (a multiple of four, 64 at most; the Q4_K kernel uses 32), in two identical sets so that
/// consecutive sub-blocks can overlap: tiles 0 and 3 the 16×16 int32 results, tiles 1 and 4
/// sixteen tokens' activations (16 rows of `kBytes` signed bytes), tiles 2 and 5 sixteen
/// weight rows' values (`kBytes`/4 rows of sixteen 4-byte quads, unsigned).
void apus_amx_configure(int kBytes);

/// Releases this thread's tile state (call when a kernel is done with the tiles).
void apus_amx_release(void);

/// For s in 0..<`count`: the exact int32 products of sixteen tokens' signed bytes (token t at
/// `activations + t·activationStride + s·kBytes`) with sixteen weight rows' unsigned bytes in
/// quad-interleaved order (quad k of row r at `weights + s·16·kBytes + 64·k + 4·r`), stored
/// as result[s][t][r] at `results + 256·s + 16·t + r`.
/// The tiles must be configured with apus_amx_configure(kBytes).
void apus_amx_subblock_products(const void *activations, long activationStride, const void *weights,
                                int kBytes, int count, int32_t *results);

#ifdef __cplusplus
}
#endif

#endif
