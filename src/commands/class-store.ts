// The class a reader command works on (progress, backup, env): its data folder's store, opened beside a running
// server, or one clear line when the folder holds no class.
import { LabdeckError } from '../errors.ts';
import { openExistingStore, type ProgressStore } from '../progress/store.ts';
import { displayPath } from './command.ts';

/** The store of an existing class (closed by the caller); no class at all is a LabdeckError, never an empty export. */
export function openClassStore(dataDir: string, cwd: string): ProgressStore {
  const store = openExistingStore(dataDir);
  if (store?.existingClass() === undefined) {
    store?.close();
    throw new LabdeckError(`no class in ${displayPath(dataDir, cwd)}: start one with 'labdeck serve --classroom', or point --data at its folder`);
  }
  return store;
}
