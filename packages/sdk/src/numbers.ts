import type { WireNumber } from './wire.js';

/** Wire → number: "NaN", "Infinity", "-Infinity" become the values they name. */
export const fromWire = (v: WireNumber): number =>
  typeof v === 'number' ? v : v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : -Infinity;

/** Number → wire: non-finite values (which JSON cannot carry) become their names. */
export const toWire = (v: number): WireNumber =>
  Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
