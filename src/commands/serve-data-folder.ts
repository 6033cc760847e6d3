// Where `serve --classroom` lets a class keep its data: never in the folder it publishes. The store holds every
// token (the instructor's sits in labdeck.sqlite-wal), so a data folder inside the workshop folder is refused unless
// it is hidden: a dot-folder there (the default `.labdeck/`) is fine, because safe-path.ts refuses every hidden
// segment of a request. The server also never serves a file of the data folder (app.ts), whatever the slides link.
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LabdeckError } from '../errors.ts';

const dataSettings = '--data (or LABDECK_DATA, or `classroom: data:` in workshop.yml)';

export function refuseServedDataFolder(dataDir: string, workshopDir: string): void {
  // Compared by real path, so that a symlink does not hide where the data really goes.
  const data = realPathSoFar(dataDir);
  const workshop = realPathSoFar(workshopDir);
  const fromWorkshop = relative(workshop, data);
  if (isInside(fromWorkshop) && !fromWorkshop.split(sep).some((segment) => segment.startsWith('.'))) {
    const where = fromWorkshop === '' ? 'is the workshop folder' : 'is inside the workshop folder';
    throw new LabdeckError(
      `the class's data folder ${resolve(dataDir)} ${where} ${resolve(workshopDir)}, which is served: set ${dataSettings} ` +
        'to a folder outside it, or to one whose name starts with a dot, like the default .labdeck/',
    );
  }
  // The other way round, the slides' images would never be served: they are in the data folder.
  if (isInside(relative(data, workshop))) {
    throw new LabdeckError(
      `the workshop folder ${resolve(workshopDir)} is inside the class's data folder ${resolve(dataDir)}, whose files are never ` +
        `served: set ${dataSettings} to a folder that does not hold the workshop, like the default .labdeck/ beside workshop.yml`,
    );
  }
}

function isInside(relativePath: string): boolean {
  return relativePath !== '..' && !relativePath.startsWith(`..${sep}`) && !isAbsolute(relativePath);
}

/** The real path of the part that exists (the data folder is created only when the class opens), plus the rest. */
function realPathSoFar(path: string): string {
  const rest: string[] = [];
  for (let existing = resolve(path); ; existing = dirname(existing)) {
    try {
      return join(realpathSync(existing), ...rest);
    } catch {
      if (dirname(existing) === existing) return resolve(path);
      rest.unshift(basename(existing));
    }
  }
}
