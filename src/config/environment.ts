// The `environment:` key of the `classroom:` section: which provider gives each attendee their terminals and engine.
// Pure: the caller hands over the YAML node and its position function, errors name file:line.
//
//   classroom:
//     environment:
//       provider: swarm        # local (default) | external | swarm
//       memory: 1g             # swarm: per-sandbox memory limit (k, m, g; default 1g)
//       cpus: 1                # swarm: per-sandbox CPU limit (default 1)
//       images: [labdeck/busybox, labdeck/toolbox]   # swarm: copied into each sandbox's engine (those present)
//       warm: 5                # swarm: sandboxes (whole clusters, with nodes) kept ready for whoever joins next (default 0)
//       nodes: 3               # swarm: a cluster per attendee, sandboxes node1…node3 (default 1)
//
//   classroom: { environment: { provider: external, attendees: attendees.yml } }
//
// A swarm sandbox holds near-root power over the node it runs on: use it on machines dedicated to a class, never on a
// shared server.
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Locate, type YamlNode as Node } from './yaml-source.ts';
import { elementAt, LabdeckError, type SourceLocation } from '../errors.ts';

export type EnvironmentConfig = LocalEnvironmentConfig | ExternalEnvironmentConfig | SwarmEnvironmentConfig;

export interface LocalEnvironmentConfig {
  readonly provider: 'local';
}

export interface ExternalEnvironmentConfig {
  readonly provider: 'external';
  /** The attendees file (absolute). */
  readonly attendeesFile: string;
  readonly location: SourceLocation;
}

export interface SwarmEnvironmentConfig {
  readonly provider: 'swarm';
  readonly memoryBytes: number;
  /** CPUs × 10⁹, as the Docker API counts them. */
  readonly nanoCpus: number;
  /** Images copied from the class engine into each sandbox's engine, when the class engine has them. */
  readonly images: readonly string[];
  /** How many warm seats (a ready sandbox, or a whole cluster with `nodes`) the class keeps for attendees who have not joined yet (default 0). */
  readonly warm?: number;
  /** Sandboxes per attendee, node1…nodeN on a network of their own (default 1: one sandbox, as before clusters). */
  readonly nodes?: number;
  readonly location: SourceLocation;
}

export const localEnvironment: LocalEnvironmentConfig = Object.freeze({ provider: 'local' });
export const defaultSandboxImages: readonly string[] = Object.freeze(['labdeck/busybox:latest', 'labdeck/toolbox:latest']);
const defaultMemory = 1024 ** 3;
/** Far above any class one swarm holds: a typo (warm: 5000) is refused rather than filling the swarm. */
const maxWarmSeats = 500;
/**
 * container.training's clusters have 3 to 5 nodes; each node is a sandbox reserving `memory` on the class swarm, so a
 * typo (nodes: 30) would reserve thirty per attendee: refused instead.
 */
export const MAX_CLUSTER_NODES = 10;

const keysOf = {
  local: ['provider'],
  external: ['provider', 'attendees'],
  swarm: ['provider', 'memory', 'cpus', 'images', 'warm', 'nodes'],
} as const;

/** Validates the `environment:` value node; relative paths are resolved against `baseDir` (the manifest's folder). */
export function parseEnvironmentConfig(node: Node | null | undefined, keyNode: Node, at: Locate, baseDir: string): EnvironmentConfig {
  const fail = (message: string, where: Node | null | undefined): never => {
    throw new LabdeckError(`classroom.environment: ${message}`, at(where ?? keyNode));
  };
  if (!isMap(node)) return fail('expected a mapping like { provider: swarm } (providers: local, external, swarm)', node);
  const values = new Map<string, { key: Node; value: Node | null }>();
  for (const pair of node.items) values.set(String((pair.key as { value?: unknown }).value), { key: pair.key as Node, value: pair.value as Node | null });

  const providerNode = values.get('provider')?.value;
  const provider = isScalar(providerNode) ? providerNode.value : undefined;
  if (provider !== 'local' && provider !== 'external' && provider !== 'swarm') {
    return fail('"provider" must be local, external or swarm', providerNode ?? node);
  }
  const known: readonly string[] = keysOf[provider];
  for (const [name, { key }] of values) {
    if (!known.includes(name)) fail(`unknown key "${name}" for provider ${provider} (known: ${known.join(', ')})`, key);
  }
  if (provider === 'local') return localEnvironment;
  if (provider === 'external') {
    const file = values.get('attendees')?.value;
    if (!isScalar(file) || typeof file.value !== 'string' || file.value === '') {
      return fail('provider external needs "attendees": the attendees file (YAML: name → shell command and Docker endpoint)', file ?? node);
    }
    return { provider, attendeesFile: resolve(baseDir, file.value), location: at(node) };
  }
  const memoryNode = values.get('memory')?.value;
  const cpusNode = values.get('cpus')?.value;
  const imagesNode = values.get('images')?.value;
  const warmNode = values.get('warm')?.value;
  const nodesNode = values.get('nodes')?.value;
  const memoryBytes =
    memoryNode === undefined ? defaultMemory : (parseMemory(memoryNode) ?? fail('"memory" must be a size such as 512m or 2g (at least 64m)', memoryNode));
  const cpus =
    cpusNode === undefined
      ? 1
      : isScalar(cpusNode) && typeof cpusNode.value === 'number' && cpusNode.value > 0 && cpusNode.value <= 1024
        ? cpusNode.value
        : fail('"cpus" must be a positive number such as 0.5 or 2', cpusNode);
  let images = defaultSandboxImages;
  if (imagesNode !== undefined) {
    if (!isSeq(imagesNode) || !imagesNode.items.every((item) => isScalar(item) && typeof item.value === 'string' && /^[\w][\w./:@-]*$/.test(item.value))) {
      return fail('"images" must be a list of image names (e.g. [labdeck/busybox])', imagesNode);
    }
    images = imagesNode.items.map((item) => withTag(String((item as { value: string }).value)));
  }
  /** A whole number from `min` to `max` (`absent` when the key is not there), or a `file:line` error. */
  const wholeNumber = (node: Node | null | undefined, absent: number, min: number, max: number, what: string): number =>
    node === undefined
      ? absent
      : isScalar(node) && Number.isInteger(node.value) && (node.value as number) >= min && (node.value as number) <= max
        ? (node.value as number)
        : fail(`${what}, from ${min} to ${max}`, node);
  const warm = wholeNumber(warmNode, 0, 0, maxWarmSeats, '"warm" must be a whole number of sandboxes kept ready');
  const nodes = wholeNumber(nodesNode, 1, 1, MAX_CLUSTER_NODES, '"nodes" must be a whole number of nodes per attendee');
  return { provider, memoryBytes, nanoCpus: Math.round(cpus * 1e9), images, warm, nodes, location: at(node) };
}

const units: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function parseMemory(node: Node | null): number | undefined {
  const text = isScalar(node) ? String(node.value).trim().toLowerCase() : '';
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/.exec(text);
  if (!match) return undefined;
  const unit = units[elementAt(match, 2)];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return bytes >= 64 * 1024 ** 2 ? bytes : undefined;
}

function withTag(name: string): string {
  return /:[\w.-]+$/.test(name.slice(name.lastIndexOf('/') + 1)) || name.includes('@') ? name : `${name}:latest`;
}
