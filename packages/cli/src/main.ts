#!/usr/bin/env -S node --import tsx
import { Command } from 'commander';
import { registerClientOptions } from './client-options.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerExperimentCommands } from './commands/experiment.js';
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
registerAuditCommands(program);

program.parseAsync(process.argv).catch(reportErrorAndExit);
