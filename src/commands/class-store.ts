// The class a reader command works on (progress, backup, env): its data folder's store, opened beside a running
// server, or one clear line when the folder holds no class.
import { existsSync } from 'node:fs';
import { loadWorkshop } from '../config/workshop.ts';
import { LabdeckError } from '../errors.ts';
import { openExistingStore, type ProgressStore } from '../progress/store.ts';
import { dataDirOption, displayPath, type CommandContext, type ParsedArgs } from './command.ts';

/**
 * The data folder a reader command reads: `--data`, LABDECK_DATA, the workshop's `classroom: data:` or the default
 * beside it. A missing manifest is fine here: `--data` alone names the class.
 */
export function readerDataDir(args: ParsedArgs, context: CommandContext, manifest: string): string {
  return dataDirOption(args, context, manifest, existsSync(manifest) ? loadWorkshop(manifest).classroom.dataDir : undefined);
}

/** The store of an existing class (closed by the caller); no class at all is a LabdeckError, never an empty export. */
export function openClassStore(dataDir: string, cwd: string): ProgressStore {
  const store = openExistingStore(dataDir);
  if (store?.existingClass() === undefined) {
    store?.close();
    throw new LabdeckError(`no class in ${displayPath(dataDir, cwd)}: start one with 'labdeck serve --classroom', or point --data at its folder`);
  }
  return store;
}
