// The `classroom:` section of workshop.yml: `classroom: true`, or a mapping with `data: DIR` (DIR relative to the
// manifest's folder), `environment:` (which provider gives each attendee their terminals and engine, see
// environments/environment-config.ts; `local` when absent) and `stuckAfter: 5m` (how long failing the same step
// makes an attendee "stuck" on the dashboard; a duration like `terminals.graceTime`). The command line (--classroom, --data) and LABDECK_DATA
// take precedence over `data`.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Document, isMap, LineCounter, parseDocument, type Node } from 'yaml';
import type { ReservedSetting, Workshop } from './config.ts';
import type { SourceLocation } from './deck/types.ts';
import { parseDuration } from './config-terminals.ts';
import { localEnvironment, parseEnvironmentConfig, type EnvironmentConfig } from './environments/environment-config.ts';
import { LabdeckError } from './errors.ts';

export interface ClassroomConfig {
  readonly enabled: boolean;
  /** Where the class is kept, when the workshop says. */
  readonly dataDir: string | undefined;
  readonly environment: EnvironmentConfig;
  /** `stuckAfter` in milliseconds; undefined: the dashboard's default. */
  readonly stuckAfterMs: number | undefined;
}

const knownKeys = ['data', 'environment', 'stuckAfter'];

export function classroomConfigOf(workshop: Workshop, manifest: string): ClassroomConfig {
  const setting = workshop.reserved.classroom;
  if (!setting || setting.value === null || setting.value === false) return { enabled: false, dataDir: undefined, environment: localEnvironment, stuckAfterMs: undefined };
  if (setting.value === true) return { enabled: true, dataDir: undefined, environment: localEnvironment, stuckAfterMs: undefined };
  const value = setting.value as Record<string, unknown>;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new LabdeckError('classroom: expected true, false, or a mapping like { data: .labdeck }', setting.location);
  }
  const { node, at } = classroomNode(workshop.file, setting);
  const keyAt = (key: string): SourceLocation => {
    const pair = isMap(node) ? node.items.find((item) => String((item.key as { value?: unknown }).value) === key) : undefined;
    return at(pair?.key as Node | undefined);
  };
  const unknown = Object.keys(value).filter((key) => !knownKeys.includes(key));
  if (unknown.length > 0) throw new LabdeckError(`classroom: unknown key "${unknown[0]}" (known: ${knownKeys.join(', ')})`, keyAt(unknown[0]!));
  if (value.data !== undefined && (typeof value.data !== 'string' || value.data === '')) {
    throw new LabdeckError('classroom: "data" must be a folder path', keyAt('data'));
  }
  const stuckAfterMs = value.stuckAfter === undefined ? undefined : parseDuration(value.stuckAfter);
  if (value.stuckAfter !== undefined && !stuckAfterMs) {
    throw new LabdeckError('classroom: "stuckAfter" must be a duration above zero such as 90s, 5m or 1h', keyAt('stuckAfter'));
  }
  const environmentPair = isMap(node) ? node.items.find((item) => String((item.key as { value?: unknown }).value) === 'environment') : undefined;
  const environment = environmentPair
    ? parseEnvironmentConfig(environmentPair.value as Node | null, environmentPair.key as Node, at, dirname(manifest))
    : localEnvironment;
  return { enabled: true, dataDir: typeof value.data === 'string' ? resolve(dirname(manifest), value.data) : undefined, environment, stuckAfterMs };
}

/**
 * The section as a YAML node, with its lines when the manifest can be read again (config.ts keeps only the plain
 * value of reserved sections); otherwise every position falls back to the section's own line.
 */
function classroomNode(file: string, setting: ReservedSetting): { node: Node | null; at: (node: { range?: readonly number[] | null } | null | undefined) => SourceLocation } {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined; // a workshop parsed from text (tests, templates): positions fall back to the section's
  }
  if (text !== undefined) {
    const lineCounter = new LineCounter();
    const node = parseDocument(text, { lineCounter }).get('classroom', true) as Node | undefined;
    if (node) {
      return { node, at: (n) => (n?.range ? { file: setting.location.file, line: lineCounter.linePos(n.range[0]!).line } : setting.location) };
    }
  }
  return { node: new Document(setting.value).contents as Node | null, at: () => setting.location };
}
