#!/usr/bin/env -S node --import tsx
import { Command } from 'commander';
import { registerServerCommands } from './commands/server.js';
import { reportErrorAndExit } from './output.js';

const program = new Command()
  .name('cairn')
  .description('Cairn: a self-hosted machine-learning workspace')
  .version('0.1.0')
  .showHelpAfterError();

registerServerCommands(program);

program.parseAsync(process.argv).catch(reportErrorAndExit);
