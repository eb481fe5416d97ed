import type { CairnClient, Experiment } from '@cairn/sdk';

/** An experiment named by id (digits) or by name. */
export function resolveExperiment(client: CairnClient, ref: string): Promise<Experiment> {
  return /^\d+$/.test(ref) ? client.experiments.get(ref) : client.experiments.getByName(ref);
}
