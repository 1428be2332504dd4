// AMX tile operations (see include/ApusKernelsAMX.h). Only this file is compiled with the
// AMX flags; on other architectures it compiles to functions that report no AMX.
#include "ApusKernelsAMX.h"

#if defined(__x86_64__) && defined(__AMX_TILE__) && defined(__AMX_INT8__)
#include <immintrin.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

/// The 64-byte operand of ldtilecfg (palette 1).
struct TileConfig {
    uint8_t palette;
    uint8_t startRow;
    uint8_t reserved[14];
    uint16_t columnBytes[16];
    uint8_t rows[16];
};

void apus_amx_configure(int kBytes) {
    struct TileConfig config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    // Two sets, so consecutive sub-blocks use different tiles and can overlap:
    // tiles 0 and 3 results, 1 and 4 activations, 2 and 5 weights.
    for (int set = 0; set < 2; set++) {
        config.rows[3 * set] = 16;
        config.columnBytes[3 * set] = 64;
        config.rows[3 * set + 1] = 16;
        config.columnBytes[3 * set + 1] = (uint16_t)kBytes;
        config.rows[3 * set + 2] = (uint8_t)(kBytes / 4);
        config.columnBytes[3 * set + 2] = 64;
    }
    _tile_loadconfig(&config);
}

void apus_amx_release(void) { _tile_release(); }

void apus_amx_subblock_products(const void *activations, long activationStride, const void *weights,
                                int kBytes, int count, int32_t *results) {
    const char *a = (const char *)activations;
    const char *w = (const char *)weights;
    int s = 0;
    for (; s + 1 < count; s += 2) {
        _tile_zero(0);
        _tile_zero(3);
        _tile_loadd(1, a + s * kBytes, activationStride);
        _tile_loadd(2, w + s * 16 * kBytes, 64);
        _tile_loadd(4, a + (s + 1) * kBytes, activationStride);
        _tile_loadd(5, w + (s + 1) * 16 * kBytes, 64);
        _tile_dpbsud(0, 1, 2);
        _tile_dpbsud(3, 4, 5);
        _tile_stored(0, results + 256 * s, 64);
        _tile_stored(3, results + 256 * (s + 1), 64);
    }
    if (s < count) {
        _tile_zero(0);
        _tile_loadd(1, a + s * kBytes, activationStride);
        _tile_loadd(2, w + s * 16 * kBytes, 64);
        _tile_dpbsud(0, 1, 2);
        _tile_stored(0, results + 256 * s, 64);
    }
}

static sigjmp_buf probeJump;

static void probeTrap(int signal) {
    (void)signal;
    siglongjmp(probeJump, 1);
}

int apus_amx_probe(void) {
    // One 32-value sub-block: sixteen tokens of signed bytes against sixteen rows of unsigned
    // bytes, computed with the tiles and in plain C.
    int8_t a[16][32];
    uint8_t w[8][64];
    int32_t tiles[256], plain[256];
    for (int t = 0; t < 16; t++)
        for (int k = 0; k < 32; k++) a[t][k] = (int8_t)((t * 37 + k * 11) % 255 - 127);
    for (int q = 0; q < 8; q++)
        for (int b = 0; b < 64; b++) w[q][b] = (uint8_t)((q * 53 + b * 7) % 256);
    for (int t = 0; t < 16; t++)
        for (int r = 0; r < 16; r++) {
            int32_t sum = 0;
            for (int k = 0; k < 32; k++) sum += a[t][k] * w[k / 4][4 * r + k % 4];
            plain[16 * t + r] = sum;
        }
    struct sigaction trap, previous;
    memset(&trap, 0, sizeof trap);
    trap.sa_handler = probeTrap;
    sigemptyset(&trap.sa_mask);
    if (sigaction(SIGILL, &trap, &previous) != 0) return 0;
    volatile int works = 0;
    if (sigsetjmp(probeJump, 1) == 0) {
        apus_amx_configure(32);
        apus_amx_subblock_products(a, 32, w, 32, 1, tiles);
        apus_amx_release();
        works = memcmp(tiles, plain, sizeof plain) == 0;
    }
    sigaction(SIGILL, &previous, NULL);
    return works;
}

#else

int apus_amx_probe(void) { return 0; }
void apus_amx_configure(int kBytes) { (void)kBytes; }
void apus_amx_release(void) {}
void apus_amx_subblock_products(const void *activations, long activationStride, const void *weights,
                                int kBytes, int count, int32_t *results) {
    (void)activations; (void)activationStride; (void)weights; (void)kBytes; (void)count; (void)results;
}

#endif
