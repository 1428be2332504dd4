/// Encoding Q4_K, as ggml's `quantize_row_q4_K_ref` does, for building test models.
///
/// Per 32-value sub-block, `make_qkx2_quants` searches 21 candidate scales for the
/// weighted least-squares fit `x ≈ scale · q − min` (weights `rms(x) + |x|`); the scales
/// and mins are then quantized to 6 bits against the block's largest ones, and the values
/// re-quantized with the stored scales. Float operations follow the C source one by one
/// (same order, no fused multiply-adds) so the bytes match llama.cpp's.
extension Q4_KFormat: QuantizableFormat {
    /// Encodes `count` floats (a multiple of 256) into Q4_K blocks at `destination`.
    public static func quantizeReference(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        var levels = [UInt8](repeating: 0, count: KQuant.superBlock)
        var scratch = [UInt8](repeating: 0, count: 32)
        var weights = [Float](repeating: 0, count: 32)
        var scales = [Float](repeating: 0, count: 8)
        var mins = [Float](repeating: 0, count: 8)
        for block in 0 ..< count / KQuant.superBlock {
            let x = source + block * KQuant.superBlock
            let base = destination + block * blockBytes
            var maxScale: Float = 0, maxMin: Float = 0
            for sub in 0 ..< 8 {
                let values = x + 32 * sub
                var sumSquares: Float = 0
                for l in 0 ..< 32 { sumSquares += values[l] * values[l] }
                let rms = (sumSquares / 32).squareRoot()
                for l in 0 ..< 32 { weights[l] = rms + abs(values[l]) }
                let fit = levels.withUnsafeMutableBufferPointer { all in
                    bestScaleAndMin(values, weights, levels: all.baseAddress! + 32 * sub, scratch: &scratch)
                }
                scales[sub] = fit.scale
                mins[sub] = fit.min
                if fit.scale > maxScale { maxScale = fit.scale }
                if fit.min > maxMin { maxMin = fit.min }
            }

            let inverseScale: Float = maxScale > 0 ? 63 / maxScale : 0
            let inverseMin: Float = maxMin > 0 ? 63 / maxMin : 0
            var packed = [UInt8](repeating: 0, count: 12)
            for sub in 0 ..< 8 {
                // C stores the int in a uint8_t (keeping the low byte), then caps it at 63.
                let scaleLevel = min(63, UInt8(truncatingIfNeeded: KQuant.nearestInt(inverseScale * scales[sub])))
                let minLevel = min(63, UInt8(truncatingIfNeeded: KQuant.nearestInt(inverseMin * mins[sub])))
                if sub < 4 {
                    packed[sub] = scaleLevel
                    packed[sub + 4] = minLevel
                } else {
                    packed[sub + 4] = (scaleLevel & 0xF) | ((minLevel & 0xF) << 4)
                    packed[sub - 4] |= (scaleLevel >> 4) << 6
                    packed[sub] |= (minLevel >> 4) << 6
                }
            }
            let d = Float16(maxScale / 63), dmin = Float16(maxMin / 63)
            base.storeBytes(of: d.bitPattern, toByteOffset: 0, as: UInt16.self)
            base.storeBytes(of: dmin.bitPattern, toByteOffset: 2, as: UInt16.self)
            for (index, byte) in packed.enumerated() { base.storeBytes(of: byte, toByteOffset: scalesOffset + index, as: UInt8.self) }

            // Re-quantize against the scales as stored; a zero scale keeps the fitted levels.
            let stored = KQuant.scalesAndMins(base + scalesOffset)
            for sub in 0 ..< 8 {
                let scale = Float(d) * Float(KQuant.byte(stored, sub))
                if scale == 0 { continue }
                let offset = Float(dmin) * Float(KQuant.byte(stored, 8 + sub))
                for l in 0 ..< 32 {
                    let level = KQuant.nearestInt((x[32 * sub + l] + offset) / scale)
                    levels[32 * sub + l] = UInt8(max(0, min(15, level)))
                }
            }
            for chunk in 0 ..< 4 {
                for l in 0 ..< 32 {
                    let byte = levels[64 * chunk + l] | (levels[64 * chunk + 32 + l] << 4)
                    base.storeBytes(of: byte, toByteOffset: quantsOffset + 32 * chunk + l, as: UInt8.self)
                }
            }
        }
    }

    /// Same bytes as `quantizeReference`, which it calls: Q4_K is only written offline when
    /// building test models, so there is no separate fast encoder.
    public static func quantize(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        quantizeReference(source, destination, count: count)
    }

    /// ggml's `make_qkx2_quants(32, 15, x, weights, L, &min, Laux, -1, 0.1, 20, false)`:
    /// levels 0…15 in `levels`, returns the scale and the (positive) min to subtract.
    static func bestScaleAndMin(_ x: UnsafePointer<Float>, _ weights: [Float], levels: UnsafeMutablePointer<UInt8>,
                                scratch: inout [UInt8]) -> (scale: Float, min: Float) {
        let n = 32, levelMax: Float = 15
        let rmin: Float = -1, rdelta: Float = 0.1, steps = 20
        var low = x[0], high = x[0]
        var sumWeights = weights[0]
        var sumX = sumWeights * x[0]
        for i in 1 ..< n {
            if x[i] < low { low = x[i] }
            if x[i] > high { high = x[i] }
            sumWeights += weights[i]
            sumX += weights[i] * x[i]
        }
        if low > 0 { low = 0 }
        if high == low {
            for i in 0 ..< n { levels[i] = 0 }
            return (0, -low)
        }
        var inverseScale = levelMax / (high - low)
        var scale = 1 / inverseScale
        var bestError: Float = 0
        for i in 0 ..< n {
            let level = max(0, min(15, KQuant.nearestInt(inverseScale * (x[i] - low))))
            levels[i] = UInt8(level)
            let difference = scale * Float(level) + low - x[i]
            bestError += weights[i] * (difference * difference)
        }
        for step in 0 ... steps {
            inverseScale = (rmin + rdelta * Float(step) + levelMax) / (high - low)
            var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
            for i in 0 ..< n {
                let level = max(0, min(15, KQuant.nearestInt(inverseScale * (x[i] - low))))
                scratch[i] = UInt8(level)
                let weightedLevel = weights[i] * Float(level)
                sumL += weightedLevel
                sumL2 += weightedLevel * Float(level)
                sumXL += weightedLevel * x[i]
            }
            let determinant = sumWeights * sumL2 - sumL * sumL
            guard determinant > 0 else { continue }
            var candidateScale = (sumWeights * sumXL - sumX * sumL) / determinant
            var candidateMin = (sumL2 * sumX - sumL * sumXL) / determinant
            if candidateMin > 0 {
                candidateMin = 0
                candidateScale = sumXL / sumL2
            }
            var error: Float = 0
            for i in 0 ..< n {
                let difference = candidateScale * Float(scratch[i]) + candidateMin - x[i]
                error += weights[i] * (difference * difference)
            }
            if error < bestError {
                for i in 0 ..< n { levels[i] = scratch[i] }
                bestError = error
                scale = candidateScale
                low = candidateMin
            }
        }
        return (scale, -low)
    }
}
