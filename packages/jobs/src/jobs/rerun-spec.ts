import { flattenParams, type Params } from '../sweep/index.js';

const TRIAL_ONLY = new Set(['name', 'display_name', 'trial_params', 'trial_index']);
const SEARCH_SPACE_PLACEHOLDER = /\$\{\{\s*search_space\.([A-Za-z0-9_.]+)\s*\}\}/g;

/**
 * The spec a rerun submits, from a job's stored spec, without its name (a rerun gets a fresh one).
 * A sweep trial's stored spec is the sweep's trial template plus the values drawn for it; its rerun is a
 * plain command job, so each `${{search_space.x}}` becomes `${{inputs.x}}` with an input `x` holding
 * the drawn value (which a rerun can then change like any input).
 */
export function rerunSpec(stored: Record<string, unknown>): Record<string, unknown> {
  const isTrial = typeof stored.trial_params === 'object' && stored.trial_params !== null;
  const spec = Object.fromEntries(
    Object.entries(stored).filter(([k]) => (isTrial ? !TRIAL_ONLY.has(k) : k !== 'name')),
  );
  if (!isTrial) return spec;
  const drawn = flattenParams(stored.trial_params as Params);
  const inputs: Record<string, unknown> = { ...(spec.inputs as Record<string, unknown> | undefined) };
  const inputName = (param: string) => {
    const base = param.replace(/\W/g, '_');
    let name = base;
    for (let i = 2; name in inputs && inputs[name] !== drawn[param]; i++) name = `${base}_${i}`;
    return name;
  };
  if (typeof spec.command === 'string') {
    spec.command = spec.command.replace(SEARCH_SPACE_PLACEHOLDER, (whole, param: string) => {
      if (!(param in drawn)) return whole;
      const name = inputName(param);
      inputs[name] = drawn[param];
      return `\${{inputs.${name}}}`;
    });
  }
  if (Object.keys(inputs).length > 0) spec.inputs = inputs;
  return spec;
}
