#!/usr/bin/env -S node --import tsx
import { Command } from 'commander';
import { registerClientOptions } from './client-options.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerComputeCommands } from './commands/compute.js';
import { registerDataCommands, registerDatastoreCommands } from './commands/data.js';
import { registerEnvironmentCommands } from './commands/environment.js';
import { registerExperimentCommands } from './commands/experiment.js';
import { registerJobCommands } from './commands/job.js';
import { registerRunCommands } from './commands/run.js';
import { registerServerCommands } from './commands/server.js';
import { registerWorkspaceCommands } from './commands/workspace.js';
import { reportErrorAndExit } from './output.js';

const program = new Command()
  .name('cairn')
  .description('Cairn: a self-hosted machine-learning workspace')
  .showHelpAfterError();

const VERSION = '0.1.0';
// `cairn --version` on its own; not a global option, so commands keep `--version` for what they version
// (`cairn data create --version 2`, as in Azure ML's CLI).
program.addHelpText('after', `\nVersion ${VERSION} (cairn --version)`);

registerClientOptions(program);
registerServerCommands(program);
registerWorkspaceCommands(program);
registerExperimentCommands(program);
registerRunCommands(program);
registerJobCommands(program);
registerComputeCommands(program);
registerEnvironmentCommands(program);
registerDatastoreCommands(program);
registerDataCommands(program);
registerAuditCommands(program);

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${VERSION}\n`);
else program.parseAsync(process.argv).catch(reportErrorAndExit);
