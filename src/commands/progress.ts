// `labdeck progress`: a class's progress, exported from its data folder (JSON or CSV). Safe while the class runs:
// the store is in WAL mode, so this reader never blocks the server.
import type { ProgressStore } from '../progress/store.ts';
import { csvText, terminalSafeJson } from '../progress/export-format.ts';
import { dataOption, UsageError, workshopPathArg, type Command } from './command.ts';
import { openClassStore, readerDataDir } from './class-store.ts';

export const progressCommand: Command = {
  synopsis: 'progress [workshop.yml] [--data DIR] --json|--csv',
  options: {
    data: dataOption,
    json: { type: 'boolean', description: 'one JSON document: attendees with their latest results and attempts' },
    csv: { type: 'boolean', description: 'one row per attendee and step (latest result)' },
  },
  async run(args, context) {
    const format = args.values.json === true ? 'json' : args.values.csv === true ? 'csv' : undefined;
    if (!format || (args.values.json === true && args.values.csv === true)) throw new UsageError('choose one of --json or --csv');
    const manifest = workshopPathArg(args, context.cwd);
    const dataDir = readerDataDir(args, context, manifest);
    const store = openClassStore(dataDir, context.cwd);
    try {
      context.stdout(format === 'json' ? terminalSafeJson(progressJson(store)) : progressCsv(store));
    } finally {
      store.close();
    }
    return 0;
  },
};

function progressJson(store: ProgressStore): unknown {
  const results = store.latestResults();
  const history = store.history();
  const commands = store.commandSummaries();
  return {
    class: store.existingClass()?.code ?? null,
    attendees: store.attendees().map(({ id, name, joinedAt }) => ({
      id,
      name,
      joinedAt: new Date(joinedAt).toISOString(),
      steps: results.filter((r) => r.attendee === id).map(({ step, status, reason, at }) => ({ step, status, reason, at: new Date(at).toISOString() })),
      attempts: history.filter((r) => r.attendee === id).map(({ step, status, reason, at }) => ({ step, status, reason, at: new Date(at).toISOString() })),
      commands: commands.find((c) => c.attendee === id) ?? null,
    })),
  };
}

function progressCsv(store: ProgressStore): string {
  const names = new Map(store.attendees().map((a) => [a.id, a.name]));
  const rows = [['attendee', 'name', 'step', 'status', 'reason', 'at']];
  for (const r of store.latestResults()) rows.push([r.attendee, names.get(r.attendee) ?? '', r.step, r.status, r.reason, new Date(r.at).toISOString()]);
  return csvText(rows);
}
