// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{inputs.x}} is Azure ML's placeholder syntax, not a template literal
import { describe, expect, it } from 'vitest';
import { rerunSpec } from './rerun-spec.js';

describe('rerunSpec', () => {
  it('drops the name of a command job and keeps the rest', () => {
    expect(
      rerunSpec({ type: 'command', name: 'a', display_name: 'A', command: 'echo', inputs: { x: 1 } }),
    ).toEqual({ type: 'command', display_name: 'A', command: 'echo', inputs: { x: 1 } });
  });

  it("turns a trial's search_space placeholders into inputs holding the drawn values", () => {
    const spec = rerunSpec({
      type: 'command',
      name: 'sw_3',
      display_name: 'sw_3',
      command: 'python t.py --lr ${{search_space.lr}} --d ${{ search_space.model.depth }} ${{inputs.data}}',
      inputs: { data: { type: 'uri_file', path: '/d.csv' } },
      trial_params: { lr: 0.01, model: { depth: 3 } },
      trial_index: 3,
    });
    expect(spec).toEqual({
      type: 'command',
      command: 'python t.py --lr ${{inputs.lr}} --d ${{inputs.model_depth}} ${{inputs.data}}',
      inputs: { data: { type: 'uri_file', path: '/d.csv' }, lr: 0.01, model_depth: 3 },
    });
  });

  it('picks another input name when the trial already has an input of that name', () => {
    const spec = rerunSpec({
      command: 'run ${{search_space.lr}} ${{inputs.lr}}',
      inputs: { lr: 'file' },
      trial_params: { lr: 0.5 },
      trial_index: 1,
    });
    expect(spec.command).toBe('run ${{inputs.lr_2}} ${{inputs.lr}}');
    expect(spec.inputs).toEqual({ lr: 'file', lr_2: 0.5 });
  });
});
