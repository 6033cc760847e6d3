// `labdeck init`: a new workshop from the skeleton in src/templates/workshop, ready to serve and lint cleanly.
import { cp, readdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { UsageError, type Command } from './command.ts';

export const initCommand: Command = {
  synopsis: 'init DIR',
  options: {},
  async run(args, context) {
    const [folder] = args.positionals;
    if (folder === undefined || args.positionals.length !== 1) throw new UsageError('init needs exactly one argument: the folder to create');
    const dir = resolve(context.cwd, folder);
    const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    if (entries.length > 0) throw new UsageError(`${dir} is not empty: labdeck init only writes into a new or empty folder`);

    await cp(context.templateDir, dir, { recursive: true, errorOnExist: true, force: false });
    const shown = relative(context.cwd, dir) || '.';
    // The next commands, as the person can paste them: through npx when that is how they ran init.
    const labdeck = context.labdeckCommand ?? 'labdeck';
    context.stdout(
      [
        `labdeck: created a workshop in ${shown}`,
        'Next:',
        ...(shown === '.' ? [] : [`  cd ${shellWord(shown)}`]),
        `  ${labdeck} serve      # the deck at http://127.0.0.1:8080/, reloaded as you edit`,
        `  ${labdeck} lint       # file:line diagnostics`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};

/** The word quoted for a POSIX shell when it holds anything but letters, digits and `_ . / -`. */
function shellWord(word: string): string {
  return /^[\w./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
