/**
 * The one-dimensional Parzen estimators TPE models each dimension with (Bergstra et al. 2011, as in
 * hyperopt's `adaptive_parzen_normal`): a Gaussian kernel on every observation plus one on the prior,
 * each kernel's width the larger gap to its neighbours, clipped to [prior σ / min(100, n + 1), prior σ],
 * truncated to the dimension's bounds. Categorical dimensions use prior-smoothed frequencies.
 */
import { logSumExp, normalCdf, normalLogPdf } from './gaussian.js';
import type { Rng } from './rng.js';
import type { InternalDomain } from './search-space.js';

export interface ParzenEstimator {
  readonly mus: readonly number[];
  readonly sigmas: readonly number[];
  /** Normalised kernel weights. */
  readonly weights: readonly number[];
  readonly low: number;
  readonly high: number;
  /** log of each kernel's mass inside [low, high] (0 when unbounded). */
  readonly logMasses: readonly number[];
}

export function fitParzenEstimator(
  observations: readonly number[],
  domain: InternalDomain,
  priorWeight: number,
): ParzenEstimator {
  const points = [...observations.map((x) => ({ x, prior: false })), { x: domain.priorMu, prior: true }].sort(
    (a, b) => a.x - b.x,
  );
  const minSigma = domain.priorSigma / Math.min(100, points.length);
  const mus: number[] = [];
  const sigmas: number[] = [];
  const weights: number[] = [];
  points.forEach((p, i) => {
    mus.push(p.x);
    if (p.prior) {
      sigmas.push(domain.priorSigma);
      weights.push(priorWeight);
      return;
    }
    const left = i > 0 ? p.x - points[i - 1].x : 0;
    const right = i < points.length - 1 ? points[i + 1].x - p.x : 0;
    sigmas.push(Math.min(domain.priorSigma, Math.max(minSigma, left, right)));
    weights.push(1);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const bounded = Number.isFinite(domain.low) || Number.isFinite(domain.high);
  return {
    mus,
    sigmas,
    weights: weights.map((w) => w / total),
    low: domain.low,
    high: domain.high,
    logMasses: mus.map((mu, k) =>
      bounded
        ? Math.log(
            Math.max(1e-300, normalCdf(domain.high, mu, sigmas[k]) - normalCdf(domain.low, mu, sigmas[k])),
          )
        : 0,
    ),
  };
}

function pickIndex(weights: readonly number[], rng: Rng): number {
  let u = rng.next();
  for (let k = 0; k < weights.length; k++) {
    u -= weights[k];
    if (u < 0) return k;
  }
  return weights.length - 1;
}

/** A draw from the (truncated) mixture, by rejection within the chosen kernel. */
export function sampleParzenEstimator(est: ParzenEstimator, rng: Rng): number {
  const k = pickIndex(est.weights, rng);
  for (let attempt = 0; attempt < 100; attempt++) {
    const x = est.mus[k] + est.sigmas[k] * rng.normal();
    if (x >= est.low && x <= est.high) return x;
  }
  return Math.min(est.high, Math.max(est.low, est.mus[k]));
}

export function parzenLogDensity(est: ParzenEstimator, x: number): number {
  return logSumExp(
    est.mus.map((mu, k) => Math.log(est.weights[k]) + normalLogPdf(x, mu, est.sigmas[k]) - est.logMasses[k]),
  );
}

/** Category probabilities: observed counts plus the prior weight spread evenly over the categories. */
export function fitCategorical(
  observations: readonly number[],
  categories: number,
  priorWeight: number,
): number[] {
  const counts = new Array<number>(categories).fill(priorWeight / categories);
  for (const index of observations) counts[index] += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

export function sampleCategorical(probabilities: readonly number[], rng: Rng): number {
  return pickIndex(probabilities, rng);
}
