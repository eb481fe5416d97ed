#!/usr/bin/env -S node --import tsx
import { Command } from 'commander';
import { registerClientOptions } from './client-options.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerComputeCommands } from './commands/compute.js';
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
  .version('0.1.0')
  .showHelpAfterError();

registerClientOptions(program);
registerServerCommands(program);
registerWorkspaceCommands(program);
registerExperimentCommands(program);
registerRunCommands(program);
registerJobCommands(program);
registerComputeCommands(program);
registerEnvironmentCommands(program);
registerAuditCommands(program);

program.parseAsync(process.argv).catch(reportErrorAndExit);
