// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{inputs.x}} is Azure ML's placeholder syntax, not a template literal
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  assertInputsProvided,
  type JobSpec,
  loadJobSpec,
  parseJobSpec,
  resolveCommand,
  specToYaml,
} from './index.js';
import { HELLO_SWEEP, IRIS_JOB } from './test-fixtures.js';

/** The CairnError a call throws, for assertions on its message and details. */
function errorOf(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CairnError) return err;
    throw err;
  }
  throw new Error('expected a CairnError');
}

const lines = (err: CairnError) => err.message.split('\n');

describe('real Azure ML YAML', () => {
  it('reads the iris command job', () => {
    const { spec } = parseJobSpec(IRIS_JOB, 'job.yml');
    expect(spec.type).toBe('command');
    if (spec.type !== 'command') return;
    expect(spec.command).toBe(
      'python main.py  --iris-csv ${{inputs.iris_csv}} --C ${{inputs.C}} --kernel ${{inputs.kernel}} --coef0 ${{inputs.coef0}}',
    );
    expect(spec.inputs).toEqual({
      iris_csv: { path: 'wasbs://datasets@azuremlexamples.blob.core.windows.net/iris.csv' },
      C: 0.8,
      kernel: 'rbf',
      coef0: 0.1,
    });
    expect(spec.environment).toBe('azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu:9');
    expect(spec.compute).toBe('azureml:cpu-cluster');
    expect(resolveCommand(spec, { inputs: { iris_csv: '/data/iris dir/iris.csv' } })).toBe(
      "python main.py  --iris-csv '/data/iris dir/iris.csv' --C 0.8 --kernel rbf --coef0 0.1",
    );
  });

  it('reads hello-sweep with defaults filled in', () => {
    const { spec } = parseJobSpec(HELLO_SWEEP, 'hello-sweep.yml');
    if (spec.type !== 'sweep') throw new Error('expected a sweep');
    expect(spec.sampling_algorithm).toEqual({ type: 'random' });
    expect(spec.search_space).toEqual({
      B: { type: 'choice', values: ['hello', 'world', 'hello_world'] },
      C: { type: 'uniform', min_value: 0.1, max_value: 1.0 },
    });
    expect(spec.objective).toEqual({ goal: 'minimize', primary_metric: 'random_metric' });
    expect(spec.limits).toEqual({ max_total_trials: 4, max_concurrent_trials: 2, timeout: 3600 });
    expect(spec.trial.environment).toBe('azureml:sklearn-1.0@latest');
    expect(resolveCommand(spec, { searchSpace: { B: 'hello world', C: 0.25 } })).toBe(
      "python hello-sweep.py --A 0.5 --B 'hello world' --C 0.25",
    );
  });

  it('fills sweep limit defaults when limits are left out', () => {
    const text = HELLO_SWEEP.replace(/limits:\n( {2}.*\n)+/, '');
    const { spec } = parseJobSpec(text);
    if (spec.type !== 'sweep') throw new Error('expected a sweep');
    expect(spec.limits).toEqual({ max_total_trials: 1000, timeout: 5_184_000 });
  });

  it.each([
    ['iris', IRIS_JOB],
    ['hello-sweep', HELLO_SWEEP],
  ])('round-trips %s through YAML', (_, text) => {
    const { spec } = parseJobSpec(text);
    const again = parseJobSpec(specToYaml(spec)).spec;
    expect(again).toEqual(spec);
  });

  it('keeps Azure keys Cairn does not use yet', () => {
    const { spec } = parseJobSpec(`command: python train.py
distribution: {type: pytorch, process_count_per_instance: 2, extra_setting: 1}
resources: {instance_count: 2, instance_type: Standard_NC6, shm_size: 2g}
queue_settings: {job_tier: spot, priority: high}
services: {my_ssh: {type: ssh, ssh_public_keys: abc, nodes: all}}
identity: {type: managed}
tags: {epochs: 5, fast: true}
environment_variables: {OMP_NUM_THREADS: 1}
limits: {timeout: 2h}
`);
    if (spec.type !== 'command') throw new Error('expected a command job');
    expect(spec.distribution).toEqual({ type: 'pytorch', process_count_per_instance: 2, extra_setting: 1 });
    expect(spec.services).toEqual({ my_ssh: { type: 'ssh', ssh_public_keys: 'abc', nodes: 'all' } });
    expect(spec.tags).toEqual({ epochs: '5', fast: 'true' });
    expect(spec.environment_variables).toEqual({ OMP_NUM_THREADS: '1' });
    expect(spec.limits?.timeout).toBe(7200);
  });

  it('takes an inline environment', () => {
    const { spec } = parseJobSpec(`command: python train.py
environment:
  python: "3.11"
  pip: [scikit-learn==1.5.2, mlflow]
`);
    if (spec.type !== 'command') throw new Error('expected a command job');
    expect(spec.environment).toEqual({ python: '3.11', pip: ['scikit-learn==1.5.2', 'mlflow'] });
  });
});

describe('errors name file, line and field', () => {
  it('reports every problem at once, sorted, with positions', () => {
    const err = errorOf(() =>
      parseJobSpec(
        `type: command
experiment: x
command: echo hi
inputs:
  a: {type: integer, default: 1.5}
limits:
  timeout: 1 hour
resources: {instance_count: 0, gpu: 1}
environment: azureml:foo
distribution: {type: pytorchh}
`,
        'job.yml',
      ),
    );
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(lines(err)).toEqual([
      'job.yml:2:1: experiment: unknown field "experiment" (did you mean "experiment_name"?); remove it or fix its name',
      'job.yml:5:31: inputs.a.default: expected an integer, got 1.5',
      'job.yml:7:12: limits.timeout: expected a duration: a positive integer number of seconds, or a string like "30m" or "2h", got "1 hour"',
      'job.yml:8:29: resources.instance_count: expected a number >= 1, got 0',
      'job.yml:8:32: resources.gpu: unknown field "gpu"; remove it or fix its name',
      'job.yml:9:14: environment: "azureml:foo" names no version: write azureml:foo:<version> or azureml:foo@latest',
      'job.yml:10:22: distribution.type: expected one of "mpi", "pytorch", "tensorflow", "ray", got "pytorchh" (did you mean "pytorch"?)',
    ]);
    expect(err.details).toMatchObject({ field: 'experiment', file: 'job.yml', line: 2, column: 1 });
    expect(err.details.issues).toHaveLength(7);
  });

  it('reports YAML syntax errors with their line', () => {
    const err = errorOf(() => parseJobSpec('command: echo hi\ninputs:\n  a: [1, 2\n', 'bad.yml'));
    expect(err.message).toMatch(/^bad\.yml:\d+:\d+: YAML syntax error: /);
    expect(err.details.file).toBe('bad.yml');
    expect(err.details.line).toBeGreaterThanOrEqual(3);
  });

  it('reports only the first of a cascade of syntax errors', () => {
    const err = errorOf(() => parseJobSpec('trial: {command: echo ${{inputs.x}}}\nname: a\n', 'job.yml'));
    expect(lines(err)).toHaveLength(1);
    expect(err.message).toMatch(
      /^job\.yml:1:\d+: YAML syntax error: .* \(and \d+ more YAML errors after it\)$/,
    );
  });

  it('rejects duplicate keys', () => {
    const err = errorOf(() => parseJobSpec('command: a\ncommand: b\n', 'job.yml'));
    expect(err.message).toMatch(/^job\.yml:2:1: YAML syntax error: .*unique/i);
  });

  it('rejects a file that is not a mapping', () => {
    expect(errorOf(() => parseJobSpec('- a\n- b\n', 'job.yml')).message).toBe(
      'job.yml:1:1: expected a mapping of job fields, got a list',
    );
  });

  it('rejects unknown and unsupported job types', () => {
    expect(errorOf(() => parseJobSpec('command: x\ntype: swep\n')).message).toBe(
      'job.yml:2:7: type: expected "command" or "sweep", got "swep" (did you mean "sweep"?)',
    );
    expect(errorOf(() => parseJobSpec('type: pipeline\njobs: {}\n')).message).toMatch(
      /^job\.yml:1:7: type: pipeline jobs are not supported yet/,
    );
  });

  it('points at a missing required field through its parent', () => {
    const err = errorOf(() => parseJobSpec('name: x\ndisplay_name: y\n', 'job.yml'));
    expect(lines(err)).toEqual(['job.yml:1:1: command: is required']);
  });

  it('rejects a placeholder that names no input, at its line in a folded command', () => {
    const err = errorOf(() =>
      parseJobSpec(
        `command: >-
  python train.py
  --lr \${{inputs.lr}}
  --out \${{outputs.model}}
inputs:
  learning_rate: 0.1
`,
        'job.yml',
      ),
    );
    expect(lines(err)).toEqual([
      'job.yml:3:8: command: ${{inputs.lr}} names no declared input (declared: learning_rate)',
      'job.yml:4:9: command: ${{outputs.model}} names no declared output (no outputs are declared)',
    ]);
  });

  it('rejects search_space placeholders in a command job and unknown hyperparameters in a sweep', () => {
    expect(errorOf(() => parseJobSpec('command: echo ${{search_space.lr}}\n')).message).toBe(
      "job.yml:1:15: command: ${{search_space.lr}}: only a sweep job's trial has a search_space; declare an input instead",
    );
    const err = errorOf(() =>
      parseJobSpec(HELLO_SWEEP.replace('search_space.C', 'search_space.D'), 'sweep.yml'),
    );
    expect(err.message).toBe(
      'sweep.yml:8:9: trial.command: ${{search_space.D}} names no declared hyperparameter in search_space (declared: B, C)',
    );
  });

  it('rejects malformed placeholders and segments', () => {
    const err = errorOf(() =>
      parseJobSpec('command: echo ${{input.x}} $[[--y ${{inputs.y}}\ninputs: {y: 1}\n'),
    );
    expect(lines(err)).toEqual([
      'job.yml:1:15: command: ${{input.x}} is not a placeholder: write ${{inputs.<name>}}, ${{outputs.<name>}} or ${{search_space.<name>}} (did you mean "inputs"?)',
      'job.yml:1:28: command: "$[[" is never closed: end the optional segment with "]]"',
    ]);
  });

  it('reports sweep errors at their fields', () => {
    const text = `type: sweep
trial:
  command: python t.py --lr \${{search_space.lr}}
sampling_algorithm: grid
search_space:
  lr: {type: loguniform, min_value: -2, max_value: -5}
  bs: {type: choise, values: [1]}
objective: {primary_metric: loss, goal: minimise}
early_termination: {type: bandit, evaluation_interval: 2}
limits: {max_total_trials: 0, trial_timeout: 5m}
`;
    expect(lines(errorOf(() => parseJobSpec(text, 's.yml')))).toEqual([
      's.yml:6:52: search_space.lr.max_value: max_value must be greater than min_value (-2), got -5',
      's.yml:7:14: search_space.bs.type: expected one of "choice", "randint", "uniform", "loguniform", "quniform", "qloguniform", "normal", "lognormal", "qnormal", "qlognormal", got "choise" (did you mean "choice"?)',
      's.yml:8:41: objective.goal: expected one of "maximize", "minimize", got "minimise" (did you mean "minimize"?)',
      's.yml:9:20: early_termination: a bandit policy takes exactly one of slack_factor or slack_amount',
      's.yml:10:28: limits.max_total_trials: expected a number >= 1, got 0',
    ]);
  });

  it('requires choice expressions for grid sampling', () => {
    const text = `type: sweep
trial: {command: python t.py}
sampling_algorithm: grid
search_space:
  lr: {type: uniform, min_value: 0, max_value: 1}
objective: {primary_metric: loss, goal: minimize}
`;
    expect(errorOf(() => parseJobSpec(text)).message).toBe(
      'job.yml:5:14: search_space.lr.type: grid sampling takes only choice expressions; use random or bayesian sampling for uniform',
    );
  });

  it('explains a bad sampling algorithm', () => {
    const text = HELLO_SWEEP.replace('sampling_algorithm: random', 'sampling_algorithm: randm');
    expect(errorOf(() => parseJobSpec(text)).message).toBe(
      'job.yml:13:21: sampling_algorithm: expected "random", "grid", "bayesian" or {type: random, seed: 42}, got "randm" (did you mean "random"?)',
    );
    const obj = HELLO_SWEEP.replace(
      'sampling_algorithm: random',
      'sampling_algorithm: {type: random, sed: 1}',
    );
    expect(errorOf(() => parseJobSpec(obj)).message).toBe(
      'job.yml:13:36: sampling_algorithm.sed: unknown field "sed" (did you mean "seed"?); remove it or fix its name',
    );
  });

  it('checks input and output shapes', () => {
    const text = `command: echo
inputs:
  data: {type: uri_file, mode: eval_mount, path: azureml:iris}
  n: {type: number, path: ./x}
  bad-name: 1
  nothing:
outputs:
  model: {mode: rw_mount}
  out: {mode: ro_mount}
`;
    expect(lines(errorOf(() => parseJobSpec(text)))).toEqual([
      'job.yml:3:32: inputs.data.mode: mode eval_mount applies only to mltable inputs',
      'job.yml:3:50: inputs.data.path: "azureml:iris" names no version: write azureml:iris:<version> or azureml:iris@latest',
      'job.yml:4:27: inputs.n.path: a number input takes a value in default, not a path',
      'job.yml:5:3: inputs.bad-name: "bad-name" is not a valid input name: use letters, digits and "_", not starting with a digit',
      'job.yml:6:3: inputs.nothing: has no value: give a number, string or true/false, or {type, path}',
      'job.yml:9:15: outputs.out.mode: expected one of "rw_mount", "upload", got "ro_mount" (did you mean "rw_mount"?)',
    ]);
  });
});

describe('--set overrides', () => {
  const iris = () => parseJobSpec(IRIS_JOB).spec;

  it('sets literal inputs, limits and compute, reading values as YAML', () => {
    const spec = applyOverrides(iris(), [
      'inputs.C=0.5',
      'inputs.kernel=linear',
      'limits.timeout=30m',
      'compute=gpu',
    ]);
    if (spec.type !== 'command') throw new Error('expected a command job');
    expect(spec.inputs?.C).toBe(0.5);
    expect(spec.inputs?.kernel).toBe('linear');
    expect(spec.limits?.timeout).toBe(1800);
    expect(spec.compute).toBe('gpu');
  });

  it("sets a data input's path and an object input's default", () => {
    const { spec } = parseJobSpec(`command: echo \${{inputs.data}} \${{inputs.n}}
inputs:
  data: {type: uri_file, path: ./a.csv}
  n: {type: integer, default: 1}
`);
    const next = applyOverrides(spec, ['inputs.data=./b.csv', 'inputs.n=3']);
    expect(next.inputs).toEqual({
      data: { type: 'uri_file', path: './b.csv' },
      n: { type: 'integer', default: 3 },
    });
    expect(spec.inputs?.n).toEqual({ type: 'integer', default: 1 });
  });

  it('rejects bad values, unknown paths and undeclared inputs, naming the argument', () => {
    expect(errorOf(() => applyOverrides(iris(), ['limits.timeout=soon'])).message).toBe(
      '--set limits.timeout=soon: limits.timeout: expected a duration: a positive integer number of seconds, or a string like "30m" or "2h", got "soon"',
    );
    expect(errorOf(() => applyOverrides(iris(), ['inputs.C=1', 'limits.timout=3'])).message).toBe(
      '--set limits.timout=3: limits.timout: unknown field "timout" (did you mean "timeout"?); remove it or fix its name',
    );
    expect(errorOf(() => applyOverrides(iris(), ['inputs.kernal=rbf'])).message).toBe(
      '--set inputs.kernal=rbf: the job declares no input "kernal" (did you mean "kernel"?) (declared: iris_csv, C, kernel, coef0)',
    );
    expect(errorOf(() => applyOverrides(iris(), ['inputs.C'])).message).toMatch(
      /^--set inputs\.C: expected path=value/,
    );
    expect(errorOf(() => applyOverrides(iris(), ['command=echo ${{inputs.zz}}'])).message).toBe(
      '--set command=echo ${{inputs.zz}}: command: ${{inputs.zz}} names no declared input (declared: iris_csv, C, kernel, coef0)',
    );
  });
});

describe('required inputs', () => {
  const text = `command: python t.py --data \${{inputs.data}} $[[--n \${{inputs.n}}]]
inputs:
  data: {type: uri_folder}
  n: {type: integer, optional: true}
`;

  it('fails when a required input has no value, and passes once --set gives one', () => {
    const { spec, source } = parseJobSpec(text, 'job.yml');
    expect(errorOf(() => assertInputsProvided(spec, source)).message).toBe(
      'job.yml:3:9: inputs.data: required input has no value: give it a path in the YAML or pass --set inputs.data=...',
    );
    const next: JobSpec = applyOverrides(spec, ['inputs.data=./d']);
    expect(() => assertInputsProvided(next, source)).not.toThrow();
    expect(resolveCommand(next, { inputs: { data: '/mnt/d' } })).toBe('python t.py --data /mnt/d ');
    expect(resolveCommand(applyOverrides(next, ['inputs.n=4']), { inputs: { data: '/mnt/d' } })).toBe(
      'python t.py --data /mnt/d --n 4',
    );
  });

  it('fails when an optional input is used outside an optional segment', () => {
    const { spec, source } = parseJobSpec(
      'command: echo ${{inputs.n}}\ninputs:\n  n: {type: integer, optional: true}\n',
    );
    expect(errorOf(() => assertInputsProvided(spec, source)).message).toMatch(
      /^job\.yml:3:6: inputs\.n: optional input has no value but the command uses it outside \$\[\[ \.\.\. \]\]/,
    );
  });

  it('loadJobSpec reads a file, applies --set and checks inputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-spec-'));
    try {
      const file = join(dir, 'job.yml');
      await writeFile(file, text);
      await expect(loadJobSpec(file)).rejects.toThrow(
        /job\.yml:3:9: inputs\.data: required input has no value/,
      );
      const loaded = await loadJobSpec(file, { set: ['inputs.data=./data'] });
      expect(loaded.dir).toBe(dir);
      expect(loaded.spec.inputs?.data).toEqual({ type: 'uri_folder', path: './data' });
      await expect(loadJobSpec(join(dir, 'missing.yml'))).rejects.toThrow(/missing\.yml: no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
