// The check spec files of a workshop: `exercises/*.yml` beside its manifest. One reader for `serve`, `check` and
// `autopilot`, so they all bind the same checks to the same steps.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SpecFile } from '../checks/catalog.ts';

/** `exercises/*.yml` (and `.yaml`) beside the manifest, in name order; none is fine. */
export function listSpecFiles(manifest: string): string[] {
  const folder = join(dirname(manifest), 'exercises');
  try {
    return readdirSync(folder)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(folder, name));
  } catch {
    return [];
  }
}

export function readSpecFiles(manifest: string, log: (line: string) => void = () => {}): SpecFile[] {
  const files: SpecFile[] = [];
  for (const file of listSpecFiles(manifest)) {
    try {
      files.push({ file, text: readFileSync(file, 'utf8') });
    } catch (problem) {
      log(`cannot read ${file}: ${(problem as Error).message}`);
    }
  }
  return files;
}
