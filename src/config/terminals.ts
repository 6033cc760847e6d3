// The `terminals:` key of workshop.yml: which named terminals every attendee gets and what each runs, validated with
// file:line errors. Pure: workshop.ts hands over the YAML node and its position function.
//
//   terminals:
//     shell: local                         # a login bash on the machine running labdeck (with shell integration)
//     node1: ssh {attendee}@node1          # any command template; {attendee} and {terminal} are substituted
//     box: [docker, exec, -it, "{attendee}-box", sh]   # or the argv as a list
//     second: { command: local, node: node2 }          # a class of clusters: on the attendee's node2 (default node1)
//     graceTime: 30m                       # how long a terminal outlives its last viewer (s, m or h; default 30m)
//     allowLocalShellOnNetwork: false      # see below
//
// Every key other than the two settings names a terminal; the first one is the default tab. A local shell served on
// a non-loopback address gives every attendee a shell on the instructor's machine: `serve` refuses it unless
// `allowLocalShellOnNetwork: true` says the author meant it.
import { basename } from 'node:path';
import { isMap, isScalar, isSeq, type Locate, type YamlNode as Node } from './yaml-source.ts';
import { elementAt, LabdeckError, type SourceLocation } from '../errors.ts';
import { isValidTerminalName } from '../protocol.ts';
import { parseCommandTemplate, type CommandTemplate } from '../terminal/command-template.ts';

export interface TerminalSpec {
  readonly name: string;
  /** The command template, split into argv words, placeholders not yet substituted. */
  readonly command: CommandTemplate;
  /** Runs a shell on the machine serving labdeck (not in a container or on another host). */
  readonly localShell: boolean;
  /** The node of the attendee's cluster it runs on (`classroom.environment.nodes`); undefined: node1, the sandbox. */
  readonly node?: string | undefined;
  readonly location: SourceLocation;
  /** Where `node` is written, for the workshop's check that the class has that node. */
  readonly nodeLocation?: SourceLocation | undefined;
}

/** Which node of the attendee's cluster: node1…node99 (config/environment.ts bounds how many a class has). */
const NODE_NAME = /^node([1-9]\d?)$/;

/** The number in a node's name (node3 → 3). */
export function nodeIndex(node: string): number {
  return Number(NODE_NAME.exec(node)?.[1] ?? Number.NaN);
}

export interface TerminalsConfig {
  /** In manifest order: the first is the default tab. */
  readonly terminals: readonly TerminalSpec[];
  readonly graceMs: number;
  readonly allowLocalShellOnNetwork: boolean;
  readonly location: SourceLocation;
}

/** What `local` means: a login bash, which also gets shell integration (OSC 633). */
export const localShellCommand: CommandTemplate = Object.freeze(['bash', '-l']);
export const defaultGraceMs = 30 * 60_000;
/** Placeholders a terminal command may use. */
export const terminalPlaceholders: readonly string[] = Object.freeze(['attendee', 'terminal']);

const settingKeys = new Set(['graceTime', 'allowLocalShellOnNetwork']);
const localShells = new Set(['bash', 'sh', 'dash', 'zsh', 'fish', 'ksh', 'tcsh', 'csh']);
const durationUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** Validates the `terminals:` value node; `keyNode` locates errors about a missing value. */
export function parseTerminalsConfig(node: Node | null | undefined, keyNode: Node, at: Locate): TerminalsConfig {
  const fail = (message: string, where: Node | null | undefined): never => {
    throw new LabdeckError(message, at(where ?? keyNode));
  };
  if (!isMap(node)) return fail('"terminals" must be a mapping of terminal names to commands (e.g. `shell: local`)', node);

  const terminals: TerminalSpec[] = [];
  let graceMs = defaultGraceMs;
  let allowLocalShellOnNetwork = false;
  for (const pair of node.items) {
    const key = pair.key as Node;
    const name = isScalar(key) ? String(key.value) : '';
    const value = pair.value as Node | null;
    if (name === 'graceTime')
      graceMs = parseDuration(isScalar(value) ? value.value : undefined) ?? fail('"terminals.graceTime" must be a duration such as 90s, 30m or 2h', value ?? key);
    else if (name === 'allowLocalShellOnNetwork') {
      if (!isScalar(value) || typeof value.value !== 'boolean') fail('"terminals.allowLocalShellOnNetwork" must be true or false', value ?? key);
      allowLocalShellOnNetwork = (value as { value: boolean }).value;
    } else {
      if (!isValidTerminalName(name)) fail(`terminal name "${name}" must be 1-32 letters, digits, - and _ (starting with a letter or digit)`, key);
      terminals.push({ name, ...parseTerminal(value, key, fail, at), location: at(key) });
    }
  }
  if (terminals.length === 0) fail(`"terminals" names no terminal (besides the settings ${[...settingKeys].join(', ')})`, node);
  return { terminals, graceMs, allowLocalShellOnNetwork, location: at(node) };
}

/** A terminal's value: its command, or a mapping `{ command, node }`. */
function parseTerminal(
  value: Node | null,
  key: Node,
  fail: (message: string, where: Node | null | undefined) => never,
  at: Locate,
): { command: CommandTemplate; localShell: boolean; node?: string; nodeLocation?: SourceLocation } {
  if (!isMap(value)) return parseCommand(value, key, fail, at);
  const name = String((key as { value?: unknown }).value);
  const fields = new Map<string, Node | null>();
  for (const pair of value.items) {
    const field = String((pair.key as { value?: unknown }).value);
    if (field !== 'command' && field !== 'node') fail(`terminal "${name}": unknown key "${field}" (known: command, node)`, pair.key as Node);
    fields.set(field, pair.value as Node | null);
  }
  const command = parseCommand(fields.get('command') ?? null, key, fail, at);
  const nodeNode = fields.get('node');
  if (nodeNode === undefined) return command;
  if (!isScalar(nodeNode) || typeof nodeNode.value !== 'string' || !NODE_NAME.test(nodeNode.value)) {
    return fail(`terminal "${name}": "node" must name a node such as node2`, nodeNode ?? key);
  }
  return { ...command, node: nodeNode.value, nodeLocation: at(nodeNode) };
}

function parseCommand(
  value: Node | null,
  key: Node,
  fail: (message: string, where: Node | null | undefined) => never,
  at: Locate,
): { command: CommandTemplate; localShell: boolean } {
  const name = String((key as { value?: unknown }).value);
  let text: string | string[];
  if (value === null || (isScalar(value) && value.value === null)) text = 'local';
  else if (isScalar(value) && typeof value.value === 'string') text = value.value.trim();
  else if (isSeq(value) && value.items.every((item) => isScalar(item) && typeof item.value === 'string'))
    text = value.items.map((item) => String((item as { value: string }).value));
  else return fail(`terminal "${name}": the command must be \`local\`, a command line or a list of words`, value);
  if (text === 'local') return { command: localShellCommand, localShell: true };
  try {
    const command = parseCommandTemplate(text, terminalPlaceholders);
    return { command, localShell: localShells.has(basename(elementAt(command, 0))) }; // never empty: parseCommandTemplate refuses that
  } catch (error) {
    if (!(error instanceof LabdeckError)) throw error;
    throw new LabdeckError(`terminal "${name}": ${error.message.replace(/^terminal command: /, '')}`, at(value));
  }
}

/** A workshop.yml duration (`90s`, `30m`, `1.5h`) → milliseconds; undefined when the value is not one. */
export function parseDuration(value: unknown): number | undefined {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*([smh])$/.exec(value) : null;
  if (!match) return undefined;
  const unit = durationUnits[elementAt(match, 2)];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

/** The terminals a server would expose as local shells on a network address, which `serve` refuses by default. */
export function localShellsRefusedOn(config: TerminalsConfig, networkReachable: boolean): TerminalSpec[] {
  if (!networkReachable || config.allowLocalShellOnNetwork) return [];
  return config.terminals.filter((terminal) => terminal.localShell);
}
