import type { Workspace } from '@cairn/sdk';
import type { Command } from 'commander';
import { clientFor } from '../client-options.js';
import { formatTime, printFields, printJson, printTable } from '../output.js';

export function registerWorkspaceCommands(program: Command): void {
  const workspace = program
    .command('workspace')
    .description('Workspaces: the top-level containers of experiments, runs and members');

  workspace
    .command('list')
    .description('List the workspaces you can see')
    .action(async (_opts, command: Command) => {
      const { client, options } = clientFor(command);
      const workspaces = await client.workspaces.list();
      if (options.output === 'json') return printJson(workspaces);
      printTable(
        [
          { header: 'NAME', value: (w: Workspace) => w.name },
          { header: 'ROLE', value: (w) => w.role ?? '-' },
          { header: 'CREATED', value: (w) => formatTime(w.createdAt) },
          { header: 'CREATED BY', value: (w) => w.createdBy },
          { header: 'DESCRIPTION', value: (w) => w.description || '-', maxWidth: 60 },
        ],
        workspaces,
      );
    });

  workspace
    .command('create')
    .description('Create a workspace; you become its owner')
    .argument('<name>', 'workspace name (letters, digits, - and _)')
    .option('-d, --description <text>', 'what the workspace is for')
    .option('-m, --message <text>', 'why, for the audit log')
    .action(async (name: string, opts: { description?: string; message?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const created = await client.workspaces.create({
        name,
        description: opts.description,
        message: opts.message,
      });
      if (options.output === 'json') return printJson(created);
      process.stdout.write(`Created workspace '${created.name}'\n`);
    });

  workspace
    .command('show')
    .description('Show a workspace (default: the one selected with -w)')
    .argument('[name]', 'workspace name')
    .action(async (name: string | undefined, _opts, command: Command) => {
      const { client, options } = clientFor(command);
      const w = await client.workspaces.get(name ?? options.workspace);
      if (options.output === 'json') return printJson(w);
      printFields([
        ['Name', w.name],
        ['Description', w.description || '-'],
        ['Your role', w.role ?? '-'],
        ['Created', `${formatTime(w.createdAt)} by ${w.createdBy}`],
      ]);
    });
}
