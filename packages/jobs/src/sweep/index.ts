export { bestTrial } from './best-trial.js';
export {
  type BanditPolicy,
  bestUpTo,
  type EarlyTerminationPolicy,
  latestEvaluationInterval,
  type MedianStoppingPolicy,
  type StopDecision,
  shouldStop,
  type TrialProgress,
  type TruncationSelectionPolicy,
  trialsToStop,
  validateEarlyTerminationPolicy,
} from './early-termination.js';
export { createGridSampler, gridSize } from './grid-sampler.js';
export { createRandomSampler, type RandomSamplerOptions } from './random-sampler.js';
export {
  type CreateSamplerOptions,
  createSampler,
  type Goal,
  type Sampler,
  type SamplingAlgorithm,
  type TrialResult,
  type TrialStatus,
} from './sampler.js';
export {
  type ChoiceExpression,
  type ChoiceValue,
  decodeParams,
  flattenParams,
  type Literal,
  type NestedSearchSpace,
  type NumericExpression,
  type Params,
  type ParamValue,
  type SearchExpression,
  type SearchSpace,
  validateSearchSpace,
} from './search-space.js';
export { createTpeSampler, type TpeOptions } from './tpe-sampler.js';
