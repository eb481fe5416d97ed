import type { Experiment, ViewType } from '@cairn/sdk';
import type { Command } from 'commander';
import { clientFor, collect, keyValues, positiveInt } from '../client-options.js';
import { formatMap, formatTime, printFields, printJson, printTable } from '../output.js';
import { resolveExperiment } from './experiment-ref.js';

interface ListOptions {
  filter?: string;
  orderBy?: string[];
  max?: number;
  deleted?: boolean;
  all?: boolean;
}

export function registerExperimentCommands(program: Command): void {
  const experiment = program.command('experiment').description('Experiments: named groups of runs');

  experiment
    .command('list')
    .description('List experiments, newest first')
    .option('-f, --filter <expr>', 'MLflow search filter, e.g. "name LIKE \'resnet%\'"')
    .option('--order-by <key>', "order key, e.g. 'name ASC' (repeatable)", collect)
    .option('--max <n>', 'at most this many', positiveInt('--max'), 100)
    .option('--deleted', 'only deleted experiments')
    .option('--all', 'active and deleted experiments')
    .action(async (opts: ListOptions, command: Command) => {
      const { client, options } = clientFor(command);
      const viewType: ViewType = opts.all ? 'ALL' : opts.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY';
      const experiments: Experiment[] = [];
      const max = opts.max ?? 100;
      for await (const e of client.experiments.iterate({
        filter: opts.filter,
        orderBy: opts.orderBy,
        viewType,
        maxResults: Math.min(max, 1000),
      })) {
        experiments.push(e);
        if (experiments.length >= max) break;
      }
      if (options.output === 'json') return printJson(experiments);
      printTable(
        [
          { header: 'ID', value: (e: Experiment) => e.experimentId, align: 'right' },
          { header: 'NAME', value: (e) => e.name, maxWidth: 50 },
          ...(viewType === 'ACTIVE_ONLY'
            ? []
            : [{ header: 'STAGE', value: (e: Experiment) => e.lifecycleStage }]),
          { header: 'CREATED', value: (e) => formatTime(e.creationTime) },
          { header: 'UPDATED', value: (e) => formatTime(e.lastUpdateTime) },
          { header: 'TAGS', value: (e) => formatMap(e.tags), maxWidth: 50 },
        ],
        experiments,
        'No experiments',
      );
    });

  experiment
    .command('create')
    .description('Create an experiment')
    .argument('<name>', 'experiment name, unique in the workspace')
    .option('-t, --tag <key=value>', 'a tag (repeatable)', collect)
    .option('--artifact-location <uri>', 'where its artifacts go (default: the server store)')
    .option('-m, --message <text>', 'why, for the audit log')
    .action(
      async (
        name: string,
        opts: { tag?: string[]; artifactLocation?: string; message?: string },
        command: Command,
      ) => {
        const { client, options } = clientFor(command);
        const e = await client.experiments.create({
          name,
          tags: keyValues(opts.tag, '--tag'),
          artifactLocation: opts.artifactLocation,
          message: opts.message,
        });
        if (options.output === 'json') return printJson(e);
        process.stdout.write(`Created experiment '${e.name}' (id ${e.experimentId})\n`);
      },
    );

  experiment
    .command('show')
    .description('Show an experiment')
    .argument('<experiment>', 'experiment id or name')
    .action(async (ref: string, _opts, command: Command) => {
      const { client, options } = clientFor(command);
      const e = await resolveExperiment(client, ref);
      if (options.output === 'json') return printJson(e);
      printFields(experimentFields(e));
    });

  for (const [verb, description] of [
    ['delete', 'Delete an experiment and its runs (restore undoes it)'],
    ['restore', 'Restore a deleted experiment'],
  ] as const) {
    experiment
      .command(verb)
      .description(description)
      .argument('<experiment>', 'experiment id or name')
      .option('-m, --message <text>', 'why, for the audit log')
      .action(async (ref: string, opts: { message?: string }, command: Command) => {
        const { client, options } = clientFor(command);
        const id = (await resolveExperiment(client, ref)).experimentId;
        const e =
          verb === 'delete'
            ? await client.experiments.delete(id, { message: opts.message })
            : await client.experiments.restore(id, { message: opts.message });
        if (options.output === 'json') return printJson(e);
        process.stdout.write(
          `${verb === 'delete' ? 'Deleted' : 'Restored'} experiment '${e.name}' (id ${id})\n`,
        );
      });
  }
}

function experimentFields(e: Experiment): [string, string][] {
  return [
    ['ID', e.experimentId],
    ['Name', e.name],
    ['Stage', e.lifecycleStage],
    ['Artifacts', e.artifactLocation],
    ['Created', formatTime(e.creationTime)],
    ['Updated', formatTime(e.lastUpdateTime)],
    ['Tags', formatMap(e.tags)],
  ];
}
