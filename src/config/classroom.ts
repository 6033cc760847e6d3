// The `classroom:` key of workshop.yml: `classroom: true`, or a mapping with `data: DIR` (DIR relative to the
// manifest's folder), `environment:` (which provider gives each attendee their terminals and engine, see
// config/environment.ts; `local` when absent) and `stuckAfter: 5m` (how long failing the same step
// makes an attendee "stuck" on the dashboard; a duration like `terminals.graceTime`). The command line (--classroom,
// --data) and LABDECK_DATA take precedence over `data`. Pure: workshop.ts hands over the YAML node and its position
// function, as for `terminals:`.
import { resolve } from 'node:path';
import { isMap, isScalar, type Locate, type YamlNode as Node } from './yaml-source.ts';
import { parseDuration } from './terminals.ts';
import { localEnvironment, parseEnvironmentConfig, type EnvironmentConfig } from './environment.ts';
import { LabdeckError, type SourceLocation } from '../errors.ts';

export interface ClassroomConfig {
  readonly enabled: boolean;
  /** Where the class is kept, when the workshop says. */
  readonly dataDir: string | undefined;
  readonly environment: EnvironmentConfig;
  /** `stuckAfter` in milliseconds; undefined: the dashboard's default. */
  readonly stuckAfterMs: number | undefined;
}

export const noClassroom: ClassroomConfig = Object.freeze({ enabled: false, dataDir: undefined, environment: localEnvironment, stuckAfterMs: undefined });

const knownKeys = ['data', 'environment', 'stuckAfter'];

/** Validates the `classroom:` value node; `keyNode` locates errors about a missing value, `folder` is the manifest's. */
export function parseClassroomConfig(node: Node | null | undefined, keyNode: Node, at: Locate, folder: string): ClassroomConfig {
  const plain = isScalar(node) ? node.value : node === null || node === undefined ? null : undefined;
  if (plain === null || plain === false) return noClassroom;
  if (plain === true) return { ...noClassroom, enabled: true };
  if (!isMap(node)) throw new LabdeckError('classroom: expected true, false, or a mapping like { data: .labdeck }', at(node ?? keyNode));

  const pairs = new Map(node.items.map((pair) => [String((pair.key as { value?: unknown }).value), pair]));
  const keyAt = (key: string): SourceLocation => at(pairs.get(key)?.key as Node | undefined);
  const valueAt = (key: string): Node | null | undefined => pairs.get(key)?.value as Node | null | undefined;
  const scalarOf = (key: string): unknown => {
    const value = valueAt(key);
    return isScalar(value) ? value.value : value?.toJSON();
  };

  const unknown = [...pairs.keys()].find((key) => !knownKeys.includes(key));
  if (unknown !== undefined) throw new LabdeckError(`classroom: unknown key "${unknown}" (known: ${knownKeys.join(', ')})`, keyAt(unknown));
  const data = scalarOf('data');
  if (pairs.has('data') && (typeof data !== 'string' || data === '')) throw new LabdeckError('classroom: "data" must be a folder path', keyAt('data'));
  const stuckAfter = scalarOf('stuckAfter');
  const stuckAfterMs = pairs.has('stuckAfter') ? parseDuration(stuckAfter) : undefined;
  if (pairs.has('stuckAfter') && !stuckAfterMs) {
    throw new LabdeckError('classroom: "stuckAfter" must be a duration above zero such as 90s, 5m or 1h', keyAt('stuckAfter'));
  }
  const environmentPair = pairs.get('environment');
  const environment = environmentPair ? parseEnvironmentConfig(environmentPair.value as Node | null, environmentPair.key as Node, at, folder) : localEnvironment;
  return { enabled: true, dataDir: typeof data === 'string' ? resolve(folder, data) : undefined, environment, stuckAfterMs };
}
