import type { AuditEvent } from '@cairn/sdk';
import type { Command } from 'commander';
import { clientFor, positiveInt } from '../client-options.js';
import { formatTime, printJson, printTable } from '../output.js';

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description("The workspace's audit log: who changed what, when and why");

  audit
    .command('list')
    .description('List audit events, newest first')
    .option('--action <action>', 'only this action, e.g. experiment.create')
    .option('--actor <user>', 'only changes by this user')
    .option('--max <n>', 'at most this many', positiveInt('--max'), 50)
    .action(async (opts: { action?: string; actor?: string; max?: number }, command: Command) => {
      const { client, options } = clientFor(command);
      const max = opts.max ?? 50;
      const events: AuditEvent[] = [];
      for await (const e of client.audit.iterate({
        action: opts.action,
        actor: opts.actor,
        maxResults: Math.min(max, 1000),
      })) {
        events.push(e);
        if (events.length >= max) break;
      }
      if (options.output === 'json') return printJson(events);
      printTable(
        [
          { header: 'TIME', value: (e: AuditEvent) => formatTime(e.at) },
          { header: 'ACTOR', value: (e) => e.actor },
          { header: 'ACTION', value: (e) => e.action },
          { header: 'TARGET', value: (e) => `${e.targetKind} ${e.targetId}`, maxWidth: 50 },
          { header: 'MESSAGE', value: (e) => e.message ?? '-', maxWidth: 60 },
        ],
        events,
        'No audit events',
      );
    });
}
