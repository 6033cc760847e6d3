// The `classroom:` section of workshop.yml: `classroom: true`, or `classroom: { data: DIR }` (DIR relative to the
// manifest's folder). The command line (--classroom, --data) and LABDECK_DATA take precedence over it.
import { dirname, resolve } from 'node:path';
import type { Workshop } from './config.ts';
import { LabdeckError } from './errors.ts';

export interface ClassroomConfig {
  readonly enabled: boolean;
  /** Where the class is kept, when the workshop says. */
  readonly dataDir: string | undefined;
}

export function classroomConfigOf(workshop: Workshop, manifest: string): ClassroomConfig {
  const setting = workshop.reserved.classroom;
  if (!setting || setting.value === null || setting.value === false) return { enabled: false, dataDir: undefined };
  if (setting.value === true) return { enabled: true, dataDir: undefined };
  const value = setting.value as Record<string, unknown>;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new LabdeckError('classroom: expected true, false, or a mapping like { data: .labdeck }', setting.location);
  }
  const unknown = Object.keys(value).filter((key) => key !== 'data');
  if (unknown.length > 0) throw new LabdeckError(`classroom: unknown key "${unknown[0]}" (known: data)`, setting.location);
  if (value.data !== undefined && (typeof value.data !== 'string' || value.data === '')) {
    throw new LabdeckError('classroom: "data" must be a folder path', setting.location);
  }
  return { enabled: true, dataDir: typeof value.data === 'string' ? resolve(dirname(manifest), value.data) : undefined };
}
