// The `record:` key of workshop.yml: whether `serve` records each attendee's class (terminals, commands, slides,
// checks: src/record/), whether typed input is part of it, and how long recordings are kept.
//
//   record: false                 # record nothing
//   record:
//     input: true                 # also what attendees type (off by default: it holds passwords; the output echoes
//                                 # what matters). The dashboard says when it is on.
//     retention: 30d              # recordings older than this are deleted (d, h, m or s; default 30d)
//
// Absent, or `record: true`: recording on, input off, 30 days. Pure: workshop.ts hands over the YAML node.
import { isMap, isScalar, type Locate, type YamlNode as Node } from './yaml-source.ts';
import { LabdeckError } from '../errors.ts';
import { parseDuration } from './terminals.ts';

export interface RecordConfig {
  readonly enabled: boolean;
  /** Typed input is recorded too. */
  readonly input: boolean;
  /** Recordings whose last write is older than this are deleted. */
  readonly retentionMs: number;
}

const dayMs = 24 * 3_600_000;
export const defaultRecordConfig: RecordConfig = Object.freeze({ enabled: true, input: false, retentionMs: 30 * dayMs });
const knownKeys = ['input', 'retention'];

/** Validates the `record:` value node; `keyNode` locates errors about a missing value. */
export function parseRecordConfig(node: Node | null | undefined, keyNode: Node, at: Locate): RecordConfig {
  const plain = isScalar(node) ? node.value : node === null || node === undefined ? null : undefined;
  if (plain === null || plain === true) return defaultRecordConfig;
  if (plain === false) return { ...defaultRecordConfig, enabled: false };
  if (!isMap(node)) throw new LabdeckError('record: expected true, false, or a mapping like { input: false, retention: 30d }', at(node ?? keyNode));
  let { input, retentionMs } = defaultRecordConfig;
  for (const pair of node.items) {
    const key = pair.key as Node;
    const name = isScalar(key) ? String(key.value) : '';
    const value = pair.value as Node | null;
    const scalar = isScalar(value) ? value.value : undefined;
    if (name === 'input') {
      if (typeof scalar !== 'boolean') throw new LabdeckError('record: "input" must be true or false', at(value ?? key));
      input = scalar;
    } else if (name === 'retention') {
      const ms = retention(scalar);
      if (ms === undefined) throw new LabdeckError('record: "retention" must be a duration above zero such as 30d, 12h or 90m', at(value ?? key));
      retentionMs = ms;
    } else throw new LabdeckError(`record: unknown key "${name}" (known: ${knownKeys.join(', ')})`, at(key));
  }
  return { enabled: true, input, retentionMs };
}

/** `30d` or any duration terminals.ts reads (`12h`, `90m`); undefined when not one above zero. */
function retention(value: unknown): number | undefined {
  const days = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*d$/.exec(value) : null;
  const ms = days ? Math.round(Number(days[1]) * dayMs) : parseDuration(value);
  return ms !== undefined && ms > 0 ? ms : undefined;
}
