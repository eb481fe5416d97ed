export { type BatchScriptInput, renderBatchScript, sbatchDirectives, slurmJobName } from './batch-script.js';
export { SlurmComputeAdapter, type SlurmComputeOptions, type SlurmTarget } from './slurm-compute.js';
export { mapSlurmState, parseScontrolRecord, parseSlurmExitCode, type SlurmJobView } from './slurm-state.js';
export { formatSlurmTime } from './slurm-time.js';
