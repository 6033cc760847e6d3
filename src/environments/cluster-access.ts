// What labdeck keeps and does for an attendee's cluster (`nodes` above 1) outside the engine:
//   <environments>/<attendee>/cluster/cluster_ed25519[.pub]        the cluster's own key pair (root ssh between nodes)
//   <environments>/<attendee>/cluster/nodeN_host_ed25519_key[.pub] host keys of node2…nodeN (node1's: ssh-keys.ts)
//   <environments>/<attendee>/cluster/known_hosts                 those host keys, for labdeck's terminals on nodeN
//   <environments>/<attendee>/nodeN/                              a launcher folder per other node (launcher.ts)
// and, once node1 runs: the other nodes waited for and given the class's images, from node1 over the cluster's own
// ssh (`docker save | ssh nodeN docker load`: no registry, and no port of theirs open on a class node), then the
// `enter` command of each node's terminals, which jumps through node1 (ssh's ProxyCommand).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attendeeFolder, reportFailure, reportProgress, reportRecreated, startPreparing, writeEnterCommand } from './launcher.ts';
import { keygen, pinnedKeyOptions, readHostKey } from './ssh-keys.ts';
import { clusterKnownHosts, clusterNames, clusterNamesOf, clusterNodeName } from '../engine/cluster-spec.ts';
import type { EngineAddress } from '../engine/engine-address.ts';
import type { ClusterNodeState } from '../engine/attendee-cluster.ts';

/** How long node1 waits for another node's engine to answer over ssh (they boot at the same time as node1). */
const NODE_READY_SECONDS = 120;

export interface ClusterKeys {
  /** The cluster's key pair: private (every node's root identity) and public (every node's root authorized key). */
  readonly privateKey: string;
  readonly publicKey: string;
  /** Private host keys of node2…nodeN, in order. */
  readonly hostKeys: readonly string[];
  /** node1…nodeN's known_hosts, as the nodes get it. */
  readonly knownHosts: string;
}

function clusterFolder(root: string, attendee: string): string {
  return join(attendeeFolder(root, attendee), 'cluster');
}

function nodeHostKeyFile(root: string, attendee: string, index: number): string {
  return join(clusterFolder(root, attendee), `${clusterNodeName(index)}_host_ed25519_key`);
}

function terminalsKnownHostsFile(root: string, attendee: string): string {
  return join(clusterFolder(root, attendee), 'known_hosts');
}

/** The cluster's keys, as made by makeClusterKeys(); undefined when any is missing (or node1's host key is). */
export function readClusterKeys(root: string, attendee: string, nodes: number): ClusterKeys | undefined {
  try {
    const file = join(clusterFolder(root, attendee), 'cluster_ed25519');
    const node1 = readHostKey(root, attendee);
    if (!node1) return undefined;
    const hostKeys: string[] = [];
    const publicHostKeys = [node1.publicKey];
    for (let index = 2; index <= nodes; index++) {
      hostKeys.push(readFileSync(nodeHostKeyFile(root, attendee, index), 'utf8'));
      publicHostKeys.push(readFileSync(`${nodeHostKeyFile(root, attendee, index)}.pub`, 'utf8').trim());
    }
    return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim(), hostKeys, knownHosts: clusterKnownHosts(publicHostKeys) };
  } catch {
    return undefined;
  }
}

/** New keys for the cluster (after node1's host key is made: ssh-keys.ts makeHostKey()). */
export async function makeClusterKeys(root: string, attendee: string, classId: string, nodes: number): Promise<ClusterKeys> {
  const folder = clusterFolder(root, attendee);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const names = clusterNames(classId, attendee);
  const file = join(folder, 'cluster_ed25519');
  // New keys replace the old ones (ssh-keygen refuses to).
  for (const name of readdirSync(folder)) rmSync(join(folder, name), { force: true });
  await keygen(file, `labdeck-cluster-${names.network}`);
  const lines: string[] = [];
  for (let index = 2; index <= nodes; index++) {
    const hostKey = nodeHostKeyFile(root, attendee, index);
    await keygen(hostKey, names.node(index).service);
    lines.push(`${names.node(index).service} ${readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')}\n`);
  }
  writeFileSync(terminalsKnownHostsFile(root, attendee), lines.join(''), { mode: 0o600 });
  const keys = readClusterKeys(root, attendee, nodes);
  if (!keys) throw new Error(`ssh-keygen left no readable key pairs in ${folder}`);
  return keys;
}

/**
 * The engine of node `index` (2…N) as labdeck reaches it: through node1 (`node1`: its engine's address), with the
 * class key, checking that node's own host key.
 */
export function clusterNodeEngineAddress(node1: EngineAddress, root: string, attendee: string, index: number): EngineAddress {
  if (!node1.ssh) throw new Error('another node of a cluster is reached through node1 over ssh');
  return { ...node1, ssh: { ...node1.ssh, node: { name: clusterNodeName(index), hostKey: `${nodeHostKeyFile(root, attendee, index)}.pub` } } };
}

/** The launcher folder of node `index` (2…N): its terminals wait there (launcher.ts, with `{attendee}/nodeN`). */
function nodeLauncherRoot(root: string, attendee: string): string {
  return attendeeFolder(root, attendee);
}

/** The task node `node` was made ready in (in its launcher folder): another one running means the swarm recreated it. */
function nodeTaskFile(root: string, attendee: string, node: string): string {
  return join(nodeLauncherRoot(root, attendee), node, 'task');
}

/** After readyOtherNodes(): the tasks the other nodes were made ready in (those running now). */
export function recordNodeTasks(root: string, attendee: string, nodes: readonly ClusterNodeState[]): void {
  for (const { node, state, task } of nodes) {
    if (state === 'running' && task !== undefined && existsSync(join(nodeLauncherRoot(root, attendee), node)))
      writeFileSync(nodeTaskFile(root, attendee, node), `${task}\n`);
  }
}

/** The other nodes running in another task than the one they were made ready in: the swarm recreated them. */
export function recreatedNodes(root: string, attendee: string, nodes: readonly ClusterNodeState[]): string[] {
  return nodes
    .filter(({ node, state, task }) => {
      if (state !== 'running' || task === undefined) return false;
      const recorded = readIfThere(nodeTaskFile(root, attendee, node));
      return recorded !== undefined && recorded !== task;
    })
    .map(({ node }) => node);
}

/** Terminals on `node` say, when they enter it again, that it was recreated (its state lost). */
export function reportNodeRecreated(root: string, attendee: string, node: string): void {
  reportRecreated(nodeLauncherRoot(root, attendee), node);
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Node terminals wait again, as node1's do (startPreparing). */
export function startPreparingNodes(root: string, attendee: string, nodes: number): void {
  for (let index = 2; index <= nodes; index++) startPreparing(nodeLauncherRoot(root, attendee), clusterNodeName(index));
}

export function reportNodesProgress(root: string, attendee: string, nodes: number, line: string): void {
  for (let index = 2; index <= nodes; index++) {
    if (existsSync(join(nodeLauncherRoot(root, attendee), clusterNodeName(index)))) reportProgress(nodeLauncherRoot(root, attendee), clusterNodeName(index), line);
  }
}

export function reportNodesFailure(root: string, attendee: string, nodes: number, message: string): void {
  for (let index = 2; index <= nodes; index++) {
    if (existsSync(join(nodeLauncherRoot(root, attendee), clusterNodeName(index)))) reportFailure(nodeLauncherRoot(root, attendee), clusterNodeName(index), message);
  }
}

/**
 * From node1 (`node1Ssh`: the argv that runs a command there, no tty): waits until each other node's engine answers
 * over the cluster's ssh, and copies into it the images node1 holds among `images` (unless it has the same already).
 * Then writes each node's `enter` command for its terminals. Fails with what node1 said.
 */
export async function readyOtherNodes(options: {
  root: string;
  attendee: string;
  classId: string;
  nodes: number;
  images: readonly string[];
  node1Ssh: readonly string[];
  say: (line: string) => void;
  /** node1's service, whose names the nodes' follow (a claimed warm seat's: the seat's); default: the attendee's. */
  service?: string;
}): Promise<void> {
  const { root, attendee, nodes } = options;
  if (nodes < 2) return;
  const others = Array.from({ length: nodes - 1 }, (_, i) => clusterNodeName(i + 2));
  options.say(`waiting for ${others.join(', ')} and giving them the class's images`);
  const script = readyNodesScript(others, options.images);
  await new Promise<void>((resolve, reject) => {
    execFile(
      options.node1Ssh[0] ?? 'ssh',
      [...options.node1Ssh.slice(1), `sh -c ${shellQuoted(script)}`],
      { timeout: (NODE_READY_SECONDS + 120) * 1000, maxBuffer: 1 << 20 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`the other nodes of the cluster are not ready: ${(stderr.trim().split('\n').pop() ?? '') || error.message}`));
        else resolve();
      },
    );
  });
  const names = options.service ? clusterNamesOf(options.service) : clusterNames(options.classId, attendee);
  for (let index = 2; index <= nodes; index++) {
    writeEnterCommand(
      nodeLauncherRoot(root, attendee),
      clusterNodeName(index),
      nodeSshCommand(options.node1Ssh, clusterNodeName(index), names.node(index).service, {
        identity: options.node1Ssh[options.node1Ssh.indexOf('-i') + 1] ?? '',
        knownHosts: terminalsKnownHostsFile(root, attendee),
      }),
    );
    reportProgress(nodeLauncherRoot(root, attendee), clusterNodeName(index), 'ready');
  }
}

/** Run by node1's shell: `set -e`, so that the first failure ends it, saying which node and what. */
export function readyNodesScript(nodes: readonly string[], images: readonly string[]): string {
  const quotedImages = images.map(shellQuoted).join(' ');
  return `set -e
present=''
for image in ${quotedImages}; do docker image inspect "$image" >/dev/null 2>&1 && present="$present $image"; done
for node in ${nodes.join(' ')}; do
  waited=0
  until ssh -n -o BatchMode=yes -o ConnectTimeout=3 "$node" docker version >/dev/null 2>&1; do
    waited=$((waited + 1))
    if [ "$waited" -ge ${NODE_READY_SECONDS} ]; then echo "$node: its engine did not answer over ssh within ${NODE_READY_SECONDS} s" >&2; exit 1; fi
    sleep 1
  done
  for image in $present; do
    [ "$(ssh -n "$node" docker image inspect -f '{{.Id}}' "$image" 2>/dev/null)" = "$(docker image inspect -f '{{.Id}}' "$image")" ] && continue
    docker save "$image" | ssh "$node" docker load -q >/dev/null || { echo "$node: loading $image failed" >&2; exit 1; }
  done
done`;
}

/**
 * What a terminal on another node execs: ssh to `node` on the attendee's network, through node1 (ProxyCommand: node1's
 * own command, `-W node:22`), with the class key, trusting only that node's host key (under its service's name).
 */
export function nodeSshCommand(node1Ssh: readonly string[], node: string, alias: string, keys: { identity: string; knownHosts: string }): string[] {
  const jump = [...node1Ssh.filter((word) => word !== '-tt').slice(0, -1), '-W', `${node}:22`, node1Ssh[node1Ssh.length - 1] ?? ''];
  return [
    'ssh',
    '-F',
    'none',
    '-tt',
    ...pinnedKeyOptions({ ...keys, alias }),
    '-o',
    // ssh expands %-tokens in a ProxyCommand: a literal % (in a path) is written %%.
    `ProxyCommand=${jump.map((word) => shellQuoted(word).replace(/%/g, '%%')).join(' ')}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'LogLevel=ERROR',
    `root@${node}`,
  ];
}

function shellQuoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
