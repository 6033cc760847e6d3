// `labdeck record export ATTENDEE`: an attendee's recording (record/), read from the data folder, also while the
// class runs: one terminal as an asciicast v2 file (`--out FILE.cast`), or the whole Timeline as JSON (`--json`).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LabdeckError } from '../errors.ts';
import { isValidTerminalName } from '../protocol.ts';
import { terminalSafeJson } from '../progress/export-format.ts';
import { asciicastOf, pickTerminal } from '../record/asciicast.ts';
import { Recordings, recordingsFolder } from '../record/recordings.ts';
import { readerDataDir } from './class-store.ts';
import { dataOption, displayPath, stringOption, UsageError, workshopPathArg, type Command } from './command.ts';

export const recordCommand: Command = {
  synopsis: 'record export ATTENDEE [workshop.yml] [--data DIR] (--out FILE.cast [--terminal NAME] | --json [--out FILE])',
  options: {
    out: { type: 'string', valueName: 'FILE', description: 'where to write: an asciicast v2 file (.cast), or with --json the timeline' },
    terminal: { type: 'string', valueName: 'NAME', description: "which terminal goes into the .cast (default: the recording's first)" },
    json: { type: 'boolean', description: 'the whole timeline (terminals, commands, slides, checks) as JSON, to --out or the standard output' },
    data: dataOption,
  },
  async run(args, context) {
    const [action, attendee, ...rest] = args.positionals;
    if (action !== 'export') throw new UsageError(action === undefined ? 'say what to do: record export ATTENDEE' : `unknown action '${action}' (known: export)`);
    if (attendee === undefined) throw new UsageError('record export needs the attendee id (`local` for the self-paced learner; ids are in `labdeck progress --json`)');
    if (!isValidTerminalName(attendee)) throw new UsageError(`'${attendee}' is not an attendee id (letters, digits, - and _)`);
    const json = args.values.json === true;
    const out = stringOption(args, 'out');
    if (!json && out === undefined) throw new UsageError('choose --out FILE.cast (one terminal) or --json (the whole timeline)');
    if (json && stringOption(args, 'terminal') !== undefined) throw new UsageError('--terminal chooses the terminal of a .cast: --json exports them all');
    const manifest = workshopPathArg({ values: args.values, positionals: rest }, context.cwd);
    const dataDir = readerDataDir(args, context, manifest);
    const recordings = new Recordings({ folder: recordingsFolder(dataDir), log: (line) => context.stderr(`labdeck: ${line}\n`) });
    const timeline = recordings.timelineNow(attendee);
    if (!timeline) {
      const recorded = recordings.attendees();
      throw new LabdeckError(
        `no recording of ${attendee} in ${displayPath(dataDir, context.cwd)} (${recorded.length === 0 ? 'it holds none' : `recorded: ${recorded.join(', ')}`})`,
      );
    }
    // Without the keyframes recorded for the replay page's seeks: terminal states, not events of the class.
    const { keyframes: _keyframes, ...events } = timeline;
    const text = json ? terminalSafeJson(events) : asciicastOf(timeline, pickTerminal(timeline, stringOption(args, 'terminal')));
    if (out === undefined) {
      context.stdout(text);
      return 0;
    }
    const path = resolve(context.cwd, out);
    try {
      writeFileSync(path, text, { mode: 0o600 });
    } catch (error) {
      throw new LabdeckError(`cannot write ${displayPath(path, context.cwd)}: ${(error as Error).message}`);
    }
    const what = json ? `the timeline of ${attendee}` : `${attendee}'s terminal "${pickTerminal(timeline, stringOption(args, 'terminal')).name}"`;
    context.stderr(`labdeck: ${what} (${Math.round(timeline.durationMs / 1000)} s) written to ${displayPath(path, context.cwd)}\n`);
    return 0;
  },
};
