// exercises/*.yml text → check bindings, validated field by field. Every problem names `file:line` (from the yaml
// package's node positions), so an author can fix a spec without guessing. The format is in docs/check-spec.md.
import { isMap, isScalar, isSeq, parseYaml, type Pair, type Positioned, type YamlNode, type YAMLMap, type YamlSource } from '../config/yaml-source.ts';
import { elementAt, LabdeckError } from '../errors.ts';
import type { CheckSpec, ContainerTarget, Count, PublishedPort } from './spec.ts';
import { parsePublish } from './infer.ts';

/** Which step(s) a spec entry is for. */
export type StepSelector =
  | { readonly by: 'slide'; readonly slide: string; readonly step: number }
  | { readonly by: 'command'; readonly pattern: string }
  | { readonly by: 'id'; readonly id: string };

export interface SpecEntry {
  readonly selector: StepSelector;
  readonly check: CheckSpec;
  /** The entry's `timeout`, in ms: how long autopilot waits for the check to pass. */
  readonly timeoutMs?: number;
  readonly file: string;
  readonly line: number;
}

/** A day: as `--check-timeout` and `--command-timeout` allow at most. */
const MAX_TIMEOUT_SECONDS = 86_400;

const kindKeys = ['service', 'stack', 'network', 'node', 'nodes', 'container', 'exec', 'dns', 'ran', 'manual', 'secret', 'config', 'all', 'any', 'not'] as const;
type KindKey = (typeof kindKeys)[number];

/** The fields each kind accepts besides its kind key. */
const kindFields: Record<KindKey, readonly string[]> = {
  service: ['absent', 'replicas', 'running', 'image', 'networks', 'constraints', 'endpoint-mode', 'ports', 'mode'],
  stack: ['absent', 'running'],
  network: ['absent', 'driver', 'scope', 'attachable'],
  node: ['absent', 'role', 'availability', 'labels'],
  nodes: ['role', 'availability', 'labels'],
  container: ['running', 'on-node', 'count'],
  exec: ['in', 'output'],
  dns: ['in', 'addresses'],
  ran: [],
  manual: [],
  secret: ['absent'],
  config: ['absent'],
  all: [],
  any: [],
  not: [],
};

class SpecReader {
  readonly errors: LabdeckError[] = [];

  constructor(private readonly source: YamlSource) {}

  /** The document's top node; undefined (with the syntax errors reported) when the text is not valid YAML. */
  root(): YamlNode | null | undefined {
    for (const problem of this.source.syntaxErrors) this.errors.push(new LabdeckError(elementAt(problem.message.split('\n'), 0), problem.location));
    return this.source.syntaxErrors.length ? undefined : this.source.root;
  }

  line(node: unknown): number {
    return this.source.locate(node as Positioned).line;
  }

  fail(node: unknown, message: string): undefined {
    this.errors.push(new LabdeckError(message, this.source.locate(node as Positioned)));
    return undefined;
  }

  /** The map's pairs by key; reports keys that are not `allowed`. */
  fields(map: YAMLMap, allowed: readonly string[], context: string): Map<string, Pair<unknown, unknown>> {
    const fields = new Map<string, Pair<unknown, unknown>>();
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!allowed.includes(key)) this.fail(pair.key, `unknown field \`${key}\` in ${context} (expected ${allowed.map((k) => `\`${k}\``).join(', ')})`);
      else fields.set(key, pair as Pair<unknown, unknown>);
    }
    return fields;
  }

  string(node: unknown, what: string): string | undefined {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    return this.fail(node, `${what} must be a string`);
  }

  regex(node: unknown, what: string): string | undefined {
    const text = this.string(node, what);
    if (text === undefined) return undefined;
    try {
      new RegExp(text);
    } catch (problem) {
      return this.fail(node, `${what} is not a valid regular expression: ${(problem as Error).message}`);
    }
    return text;
  }

  integer(node: unknown, what: string): number | undefined {
    if (isScalar(node) && Number.isInteger(node.value) && (node.value as number) >= 0) return node.value as number;
    return this.fail(node, `${what} must be a whole number ≥ 0`);
  }

  boolean(node: unknown, what: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    return this.fail(node, `${what} must be true or false`);
  }

  oneOf<T extends string>(node: unknown, what: string, values: readonly T[]): T | undefined {
    const text = this.string(node, what);
    if (text === undefined) return undefined;
    if ((values as readonly string[]).includes(text)) return text as T;
    return this.fail(node, `${what} must be one of ${values.join(', ')} (got \`${text}\`)`);
  }

  strings(node: unknown, what: string): string[] | undefined {
    if (isScalar(node)) {
      const one = this.string(node, what);
      return one === undefined ? undefined : [one];
    }
    if (!isSeq(node)) return this.fail(node, `${what} must be a string or a list of strings`);
    const values = node.items.map((item) => this.string(item, `each of ${what}`));
    return values.every((v) => v !== undefined) ? (values as string[]) : undefined;
  }

  labels(node: unknown, what: string): Record<string, string> | undefined {
    if (!isMap(node)) return this.fail(node, `${what} must be a mapping of label: value`);
    const labels: Record<string, string> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const value = isScalar(pair.value) && pair.value.value === null ? '' : this.string(pair.value, `label \`${key}\``);
      if (key === undefined || value === undefined) return this.fail(pair.key, `${what}: labels must be key: value`);
      labels[key] = value;
    }
    return labels;
  }

  /** `3`, `"2-5"`, `">=2"`, `"<=3"`, or `{min, max}`. */
  count(node: unknown, what: string): Count | undefined {
    if (isScalar(node) && typeof node.value === 'number') return this.integer(node, what);
    if (isScalar(node) && typeof node.value === 'string') {
      const text = node.value.replace(/\s+/g, '');
      const range = /^(\d+)-(\d+)$/.exec(text);
      if (range) return { min: Number(range[1]), max: Number(range[2]) };
      const bound = /^(>=|<=)(\d+)$/.exec(text);
      if (bound) return bound[1] === '>=' ? { min: Number(bound[2]) } : { max: Number(bound[2]) };
    }
    if (isMap(node)) {
      const fields = this.fields(node, ['min', 'max'], what);
      const min = fields.has('min') ? this.integer(fields.get('min')?.value, `${what}.min`) : undefined;
      const max = fields.has('max') ? this.integer(fields.get('max')?.value, `${what}.max`) : undefined;
      return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
    }
    return this.fail(node, `${what} must be a number, "N-M", ">=N", "<=N" or {min, max}`);
  }

  target(node: unknown): ContainerTarget | undefined {
    if (isScalar(node)) {
      const service = this.string(node, '`in`');
      return service === undefined ? undefined : { service };
    }
    const labels = this.labels(node, '`in` (a service name, or labels)');
    return labels && { labels };
  }

  ports(node: unknown): PublishedPort[] | undefined {
    if (!isSeq(node)) return this.fail(node, '`ports` must be a list ("8000:80", or {published, target, protocol})');
    const ports: PublishedPort[] = [];
    for (const item of node.items) {
      if (isMap(item)) {
        const fields = this.fields(item, ['published', 'target', 'protocol'], 'a port');
        const target = fields.has('target') ? this.integer(fields.get('target')?.value, '`target`') : this.fail(item, 'a port needs a `target`');
        const published = fields.has('published') ? this.integer(fields.get('published')?.value, '`published`') : undefined;
        const protocol = fields.has('protocol') ? this.oneOf(fields.get('protocol')?.value, '`protocol`', ['tcp', 'udp', 'sctp'] as const) : undefined;
        if (target !== undefined) ports.push({ target, ...(published !== undefined ? { published } : {}), ...(protocol ? { protocol } : {}) });
      } else {
        const text = this.string(item, 'a port');
        const port = text === undefined ? undefined : parsePublish(text);
        if (port) ports.push(port);
        else if (text !== undefined) this.fail(item, `\`${text}\` is not a port ("8000:80", "80", "53:53/udp")`);
      }
    }
    return ports;
  }

  check(node: unknown): CheckSpec | undefined {
    if (!isMap(node)) return this.fail(node, `a check must be a mapping with one of ${kindKeys.map((k) => `\`${k}\``).join(', ')}`);
    const keys = node.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ''));
    const kinds = keys.filter((key): key is KindKey => (kindKeys as readonly string[]).includes(key));
    const [kind] = kinds;
    if (kind === undefined || kinds.length !== 1) {
      return this.fail(
        node,
        kinds.length === 0
          ? `unknown check kind: none of \`${keys.join('`, `')}\` is one of ${kindKeys.join(', ')}`
          : `a check has exactly one kind, this one has ${kinds.join(' and ')} (combine them with \`all:\`)`,
      );
    }
    const fields = this.fields(node, [kind, ...kindFields[kind]], `a ${kind} check`);
    const value = fields.get(kind)?.value; // there: `kind` is one of the keys, and allowed
    const get = (name: string): unknown => fields.get(name)?.value;
    const has = (name: string): boolean => fields.has(name);
    const absent = has('absent') ? this.boolean(get('absent'), '`absent`') : undefined;
    const checks = (): CheckSpec[] | undefined => {
      if (!isSeq(value)) return this.fail(value, `\`${kind}\` must be a list of checks`);
      const list = value.items.map((item) => this.check(item));
      return list.every((c) => c !== undefined) ? (list as CheckSpec[]) : undefined;
    };
    const optional = <T>(name: string, read: (node: unknown) => T | undefined): Record<string, T> => {
      if (!has(name)) return {};
      const result = read(get(name));
      return result === undefined ? {} : { [name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())]: result };
    };
    const running = (node: unknown): Count | 'desired' | undefined => (isScalar(node) && node.value === 'desired' ? 'desired' : this.count(node, '`running`'));

    switch (kind) {
      case 'service':
      case 'stack': {
        const name = this.string(value, `\`${kind}\``);
        if (name === undefined) return undefined;
        return {
          kind: 'service',
          ...(kind === 'service' ? { name } : { stack: name }),
          ...(absent !== undefined ? { absent } : {}),
          ...optional('replicas', (n) => this.integer(n, '`replicas`')),
          ...optional('running', running),
          ...optional('image', (n) => this.strings(n, '`image`')),
          ...optional('networks', (n) => this.strings(n, '`networks`')),
          ...optional('constraints', (n) => this.strings(n, '`constraints`')),
          ...optional('endpoint-mode', (n) => this.oneOf(n, '`endpoint-mode`', ['vip', 'dnsrr'] as const)),
          ...optional('ports', (n) => this.ports(n)),
          ...optional('mode', (n) => this.oneOf(n, '`mode`', ['replicated', 'global'] as const)),
        };
      }
      case 'network': {
        const name = this.string(value, '`network`');
        return name === undefined
          ? undefined
          : {
              kind: 'network',
              name,
              ...(absent !== undefined ? { absent } : {}),
              ...optional('driver', (n) => this.string(n, '`driver`')),
              ...optional('scope', (n) => this.oneOf(n, '`scope`', ['swarm', 'local', 'global'] as const)),
              ...optional('attachable', (n) => this.boolean(n, '`attachable`')),
            };
      }
      case 'node':
      case 'nodes': {
        const filters = {
          ...optional('role', (n) => this.oneOf(n, '`role`', ['manager', 'worker'] as const)),
          ...optional('availability', (n) => this.oneOf(n, '`availability`', ['active', 'pause', 'drain'] as const)),
          ...optional('labels', (n) => this.labels(n, '`labels`')),
        };
        if (kind === 'nodes') {
          const count = this.count(value, '`nodes`');
          return count === undefined ? undefined : { kind: 'node', count, ...filters };
        }
        const node = this.string(value, '`node` (a hostname, an ID, or self)');
        if (node === undefined) return undefined;
        return { kind: 'node', ...(node === 'self' ? { self: true } : { node }), ...(absent ? { count: 0 } : {}), ...filters };
      }
      case 'container': {
        const labels = this.labels(value, '`container`');
        return (
          labels && {
            kind: 'container',
            labels,
            ...optional('running', (n) => this.boolean(n, '`running`')),
            ...optional('on-node', (n) => this.string(n, '`on-node`')),
            ...optional('count', (n) => this.count(n, '`count`')),
          }
        );
      }
      case 'exec':
      case 'dns': {
        const target = has('in') ? this.target(get('in')) : this.fail(node, `a ${kind} check needs \`in\`: the service (or labels) of the container to run in`);
        if (kind === 'exec') {
          const command = isSeq(value) ? this.strings(value, '`exec`') : this.string(value, '`exec`');
          const output = has('output') ? this.regex(get('output'), '`output`') : undefined;
          return command !== undefined && target ? { kind: 'exec', target, command, ...(output !== undefined ? { output } : {}) } : undefined;
        }
        const name = this.string(value, '`dns`');
        const addresses = has('addresses')
          ? this.count(get('addresses'), '`addresses`')
          : this.fail(node, 'a dns check needs `addresses`: how many the name resolves to');
        return name !== undefined && target && addresses !== undefined ? { kind: 'dns', target, name, addresses } : undefined;
      }
      case 'ran': {
        const pattern = this.regex(value, '`ran`');
        return pattern === undefined ? undefined : { kind: 'ran', pattern };
      }
      case 'manual': {
        if (isScalar(value) && value.value === true) return { kind: 'manual' };
        const prompt = this.string(value, '`manual` (true, or what the attendee confirms)');
        return prompt === undefined ? undefined : { kind: 'manual', prompt };
      }
      case 'secret':
      case 'config': {
        const name = this.string(value, `\`${kind}\``);
        return name === undefined ? undefined : { kind, name, ...(absent !== undefined ? { absent } : {}) };
      }
      case 'all':
      case 'any': {
        const list = checks();
        return list && { kind, checks: list };
      }
      case 'not': {
        const inner = this.check(value);
        return inner && { kind: 'not', check: inner };
      }
    }
  }
}

/** Reads one exercises/*.yml file: `steps:` — a list of {slide + step | command | id, check}. */
export function readSpecFile(file: string, text: string): { entries: SpecEntry[]; errors: LabdeckError[] } {
  const reader = new SpecReader(parseYaml(text, file));
  const root = reader.root();
  const entries: SpecEntry[] = [];
  if (root === undefined) return { entries, errors: reader.errors };
  const steps = isMap(root) ? root.get('steps', true) : undefined;
  if (!isMap(root) || !isSeq(steps)) {
    reader.fail(root, 'a check spec file must have `steps:`, a list of {slide, step, check} or {command, check}');
    return { entries, errors: reader.errors };
  }
  reader.fields(root, ['steps'], 'a check spec file');
  for (const item of steps.items) {
    if (!isMap(item)) {
      reader.fail(item, 'each entry of `steps` must be a mapping');
      continue;
    }
    const fields = reader.fields(item, ['slide', 'step', 'command', 'id', 'timeout', 'check'], 'a step entry');
    const selector = readSelector(reader, item, fields);
    const check = fields.has('check') ? reader.check(fields.get('check')?.value) : reader.fail(item, 'this entry has no `check`');
    const timeoutNode = fields.get('timeout')?.value;
    const timeoutMs = timeoutNode === undefined ? undefined : readTimeout(reader, timeoutNode);
    if (timeoutNode !== undefined && timeoutMs === undefined) continue; // reported; the step falls back to inference
    if (selector && check) entries.push({ selector, check, ...(timeoutMs === undefined ? {} : { timeoutMs }), file, line: reader.line(item) });
  }
  return { entries, errors: reader.errors };
}

/** `timeout: SECONDS` (a number, fractions allowed): in ms. */
function readTimeout(reader: SpecReader, node: unknown): number | undefined {
  const seconds = isScalar(node) ? node.value : undefined;
  if (typeof seconds === 'number' && seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS) return Math.round(seconds * 1000);
  const shown = isScalar(node) ? String(node.value) : 'a list or mapping';
  return reader.fail(node, `\`timeout\` must be a number of seconds (more than 0, at most ${MAX_TIMEOUT_SECONDS}), not \`${shown}\``);
}

function readSelector(reader: SpecReader, item: YAMLMap, fields: Map<string, Pair<unknown, unknown>>): StepSelector | undefined {
  const ways = ['slide', 'command', 'id'].filter((key) => fields.has(key));
  if (ways.length !== 1) {
    return reader.fail(
      item,
      ways.length === 0
        ? 'say which step this is for: `slide` (name) + `step` (1-based), `command` (a regex), or `id`'
        : `use only one of \`slide\`, \`command\`, \`id\` (this entry has ${ways.join(' and ')})`,
    );
  }
  if (ways[0] === 'command') {
    if (fields.has('step')) reader.fail(fields.get('step')?.key, '`step` goes with `slide`, not with `command`');
    const pattern = reader.regex(fields.get('command')?.value, '`command`');
    return pattern === undefined ? undefined : { by: 'command', pattern };
  }
  if (ways[0] === 'id') {
    const id = reader.string(fields.get('id')?.value, '`id`');
    return id === undefined ? undefined : { by: 'id', id };
  }
  const slide = reader.string(fields.get('slide')?.value, '`slide`');
  const stepNode = fields.get('step')?.value;
  const step = stepNode === undefined ? 1 : reader.integer(stepNode, '`step`');
  if (step === 0) return reader.fail(stepNode, '`step` counts from 1');
  return slide === undefined || step === undefined ? undefined : { by: 'slide', slide, step };
}
