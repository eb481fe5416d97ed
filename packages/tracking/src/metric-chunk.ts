import { endianness } from 'node:os';

/**
 * The packed form of a chunk of metric points: float64 triples (step, timestamp, value), little-endian,
 * sorted by step then timestamp. Steps and timestamps are safe integers, which float64 holds exactly;
 * NaN and ±Infinity values are stored as themselves.
 */
const LITTLE_ENDIAN = endianness() === 'LE';

export interface PackedPoint {
  step: number;
  timestamp: number;
  value: number;
}

export function encodeChunk(points: readonly PackedPoint[]): Buffer {
  const sorted = [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  const out = Buffer.allocUnsafe(sorted.length * 24);
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    out.writeDoubleLE(p.step, i * 24);
    out.writeDoubleLE(p.timestamp, i * 24 + 8);
    out.writeDoubleLE(p.value, i * 24 + 16);
  }
  return out;
}

/** A view of a chunk's triples; copies only when the buffer is not 8-byte aligned or the host is big-endian. */
export function decodeChunk(data: Uint8Array): Float64Array {
  if (LITTLE_ENDIAN && data.byteOffset % 8 === 0) {
    return new Float64Array(data.buffer, data.byteOffset, data.byteLength / 8);
  }
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float64Array(data.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

/** Points of several chunks (each sorted), as one column set sorted by step then timestamp. */
export interface PointColumns {
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
  length: number;
}

export function mergeChunks(
  chunks: readonly Uint8Array[],
  range?: { start?: number | null; end?: number | null },
): PointColumns {
  const decoded = chunks.map(decodeChunk);
  const total = decoded.reduce((n, d) => n + d.length / 3, 0);
  const steps = new Float64Array(total);
  const timestamps = new Float64Array(total);
  const values = new Float64Array(total);
  const lo = range?.start ?? Number.NEGATIVE_INFINITY;
  const hi = range?.end ?? Number.POSITIVE_INFINITY;
  let n = 0;
  let sorted = true;
  for (const d of decoded) {
    for (let i = 0; i < d.length; i += 3) {
      const step = d[i]!;
      if (step < lo || step > hi) continue;
      if (n > 0 && (step < steps[n - 1]! || (step === steps[n - 1]! && d[i + 1]! < timestamps[n - 1]!)))
        sorted = false;
      steps[n] = step;
      timestamps[n] = d[i + 1]!;
      values[n] = d[i + 2]!;
      n++;
    }
  }
  const cols = {
    steps: steps.subarray(0, n),
    timestamps: timestamps.subarray(0, n),
    values: values.subarray(0, n),
    length: n,
  };
  return sorted ? cols : sortColumns(cols);
}

function sortColumns(c: PointColumns): PointColumns {
  const order = Array.from({ length: c.length }, (_, i) => i).sort(
    (a, b) => c.steps[a]! - c.steps[b]! || c.timestamps[a]! - c.timestamps[b]!,
  );
  const pick = (src: Float64Array) => Float64Array.from(order, (i) => src[i]!);
  return { steps: pick(c.steps), timestamps: pick(c.timestamps), values: pick(c.values), length: c.length };
}
