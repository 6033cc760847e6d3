// `labdeck backup`: a consistent copy of a class, taken with SQLite's online backup while the class runs (the server
// keeps writing; nothing waits), and its recordings. The copy is a data folder of its own: `labdeck serve --classroom
// --data DIR`, `labdeck progress --data DIR` or `labdeck record export … --data DIR` open it as they are, and putting
// it back is copying its labdeck.sqlite (and recordings/).
import { join, resolve } from 'node:path';
import { makeDataFolder, storeFileName } from '../progress/store-files.ts';
import { Recordings, recordingsFolder } from '../record/recordings.ts';
import { openClassStore, readerDataDir } from './class-store.ts';
import { dataOption, displayPath, stringOption, UsageError, workshopPathArg, type Command } from './command.ts';

export const backupCommand: Command = {
  synopsis: 'backup [workshop.yml] --out DIR [--data DIR]',
  options: {
    out: { type: 'string', valueName: 'DIR', description: 'the folder the copy goes to (created 0700; must hold no class yet)' },
    data: dataOption,
  },
  async run(args, context) {
    const outOption = stringOption(args, 'out');
    if (!outOption) throw new UsageError('--out DIR is required');
    const manifest = workshopPathArg(args, context.cwd);
    const dataDir = readerDataDir(args, context, manifest);
    const out = resolve(context.cwd, outOption);
    if (out === dataDir) throw new UsageError('--out must be another folder than the class');
    const store = openClassStore(dataDir, context.cwd);
    try {
      // biome-ignore lint/style/noNonNullAssertion: openClassStore() refuses a folder that holds no class
      const code = store.existingClass()!.code;
      const attendees = store.attendees().length;
      makeDataFolder(out);
      const file = join(out, storeFileName);
      await store.backup(file);
      const recorded = new Recordings({ folder: recordingsFolder(dataDir) }).copyTo(recordingsFolder(out));
      const recordings = recorded === 0 ? '' : ` with ${recorded} recording${recorded === 1 ? '' : 's'} (${displayPath(recordingsFolder(out), context.cwd)})`;
      context.stdout(`labdeck: class ${code} (${attendees} attendee${attendees === 1 ? '' : 's'}) backed up to ${displayPath(file, context.cwd)}${recordings}\n`);
    } finally {
      store.close();
    }
    return 0;
  },
};
