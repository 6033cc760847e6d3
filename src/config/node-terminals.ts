// The terminals an attendee of a class of clusters (`classroom.environment.nodes` above 1) can open from the pane on
// node2…nodeN: the workshop's own terminal on that node when it names one (`node: node2`), else a login shell there,
// named after the node (`node2`; `node2-shell`, `node2-2`… when the workshop uses that name for another terminal).
// Pure: the server adds them to the terminals it runs (serve-terminals.ts), the page to its pane's node control.
import { localShellCommand, type TerminalsConfig } from './terminals.ts';
import type { TerminalSpec } from './terminals.ts';

export interface NodeTerminal {
  /** node2…nodeN. */
  readonly node: string;
  /** The terminal that opens on it. */
  readonly terminal: string;
  /** A terminal the workshop does not name, which the server adds; undefined: the workshop's own. */
  readonly spec?: TerminalSpec;
}

/** `config`: the workshop's `terminals:` (its location is the added terminals'). */
export function nodeTerminals(config: Pick<TerminalsConfig, 'terminals' | 'location'>, nodes: number): NodeTerminal[] {
  const { terminals } = config;
  const taken = new Set(terminals.map((terminal) => terminal.name));
  const found: NodeTerminal[] = [];
  for (let index = 2; index <= nodes; index++) {
    const node = `node${index}`;
    const own = terminals.find((terminal) => terminal.node === node);
    if (own) {
      found.push({ node, terminal: own.name });
      continue;
    }
    const candidates = [node, `${node}-shell`];
    let name = candidates.find((candidate) => !taken.has(candidate));
    for (let suffix = 2; name === undefined; suffix++) if (!taken.has(`${node}-${suffix}`)) name = `${node}-${suffix}`;
    taken.add(name);
    found.push({ node, terminal: name, spec: { name, command: localShellCommand, localShell: true, node, location: config.location } });
  }
  return found;
}
