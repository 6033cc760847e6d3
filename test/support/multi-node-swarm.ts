// A class swarm of several nodes on this one machine, for the multi-node tests: each node is an extra dockerd in a
// network namespace of its own (own data-root, exec-root, pidfile, socket /run/docker-mnN.sock, hostname nodeN),
// joined by a bridge; node 1 is the manager, the others join it. The machine's own engine and its swarm (which the
// other tests use) are never touched: only names under `ldmn`/`mnN` and the paths below are made and removed.
//
// The recipe and its traps (the project's shared reference on multi-node setups, part A, tested on this kind of machine):
// - `nsenter --net=…`, not `ip netns exec`, which remounts /sys (the cgroup v1 mounts disappear: dockerd fails);
// - the machine's engine sets the FORWARD policy to DROP and bridged traffic goes through it: one ACCEPT rule for
//   the bridge, or `swarm join` times out;
// - `unshare --uts` gives each node its own hostname without changing the machine's;
// - tear-down in order: services, then each dockerd by its pidfile (waited for), then the shims it left (they hold
//   overlay and netns mounts that make `rm -rf` fail), the mounts, veths, namespaces, bridge, rule and data-roots.
// removeMultiNodeSwarm() does all of it whatever state a killed earlier run left, so it runs first and last.
//
// No registry: node 1 gets its images from the machine's engine (docker save | docker load), as an instructor's
// manager has what they built on it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { connectEngine } from '../../src/engine/docker.ts';
import { preloadImages } from '../../src/engine/sandboxes.ts';
import { waitFor } from './wait.ts';

const BRIDGE = 'ldmn-br';
const SUBNET = '10.231.0';
const DATA = '/var/lib/labdeck-mn';
const EXEC = '/run/labdeck-mn';
/** Nodes 1 to 9 at most: addresses 10.231.0.11 to .19. */
const MAX_NODES = 9;
/** A node is marked down, and its tasks rescheduled, after a few missed heartbeats (default 5 s). */
const HEARTBEAT_NS = 2_000_000_000;

export interface SwarmNode {
  /** mnN: the namespace, the folders and the cgroup parent. */
  readonly name: string;
  /** nodeN: what the swarm calls it (`node.hostname`). */
  readonly hostname: string;
  /** Its address on the bridge, which the swarm reports (`Status.Addr`). */
  readonly address: string;
  /** `unix:///run/docker-mnN.sock`. */
  readonly host: string;
  readonly docker: Docker;
}

export interface MultiNodeSwarm {
  readonly nodes: readonly SwarmNode[];
  readonly manager: SwarmNode;
  /** Starts one more engine and joins it to the swarm (as a worker). */
  addNode(): Promise<SwarmNode>;
  /** Stops the node's engine (as when its machine fails) and waits until the manager sees it down. */
  stopNode(node: SwarmNode): Promise<void>;
  /** Removes everything: same as removeMultiNodeSwarm(). */
  remove(): Promise<void>;
}

function sh(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryRun(command: string, args: readonly string[]): boolean {
  try {
    sh(command, args);
    return true;
  } catch {
    return false;
  }
}

function nodeOf(index: number): SwarmNode {
  const name = `mn${index}`;
  const host = `unix:///run/docker-${name}.sock`;
  return { name, hostname: `node${index}`, address: `${SUBNET}.${10 + index}`, host, docker: connectEngine({ host }) };
}

const namespace = (node: SwarmNode): string => `ld${node.name}`;
const pidFile = (node: SwarmNode): string => join(EXEC, `${node.name}.pid`);
const logFile = (node: SwarmNode): string => join(DATA, `${node.name}.log`);

function logTail(node: SwarmNode): string {
  try {
    return readFileSync(logFile(node), 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

/** The bridge with its address, and the rule that lets the machine forward between its ports. */
function ensureBridge(): void {
  if (!tryRun('ip', ['link', 'show', BRIDGE])) {
    sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${SUBNET}.1/24`, 'dev', BRIDGE]);
  }
  sh('ip', ['link', 'set', BRIDGE, 'up']);
  if (!tryRun('iptables', ['-C', 'FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT'])) {
    sh('iptables', ['-I', 'FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT']);
  }
}

/** The node's namespace: `eth0` on the bridge with its address, `lo` up, a default route via the bridge. */
function ensureNamespace(node: SwarmNode): void {
  const ns = namespace(node);
  const outside = `${ns}-h`;
  if (existsSync(`/run/netns/${ns}`)) return;
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', `${ns}-n`]);
  sh('ip', ['link', 'set', outside, 'master', BRIDGE, 'up']);
  sh('ip', ['link', 'set', `${ns}-n`, 'netns', ns]);
  const inside = (...args: string[]): string => sh('ip', ['-n', ns, ...args]);
  inside('link', 'set', `${ns}-n`, 'name', 'eth0');
  inside('addr', 'add', `${node.address}/24`, 'dev', 'eth0');
  inside('link', 'set', 'eth0', 'up');
  inside('link', 'set', 'lo', 'up');
  inside('route', 'add', 'default', 'via', `${SUBNET}.1`);
}

async function startEngine(node: SwarmNode): Promise<void> {
  ensureNamespace(node);
  mkdirSync(join(DATA, node.name), { recursive: true });
  mkdirSync(join(EXEC, node.name), { recursive: true });
  const dockerd = [
    'dockerd',
    `--data-root=${join(DATA, node.name)}`,
    `--exec-root=${join(EXEC, node.name)}`,
    `--pidfile=${pidFile(node)}`,
    `-H=${node.host}`,
    `--cgroup-parent=${node.name}`,
    '--log-level=warn',
  ].join(' ');
  const log = openSync(logFile(node), 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${namespace(node)}`, 'unshare', '--uts', 'sh', '-c', `hostname ${node.hostname}; exec ${dockerd}`], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  await waitFor(
    async () => {
      if (exited) throw new Error(`dockerd of ${node.name} exited:\n${logTail(node)}`);
      return node.docker.ping().then(
        () => true,
        () => false,
      );
    },
    { timeoutMs: 60_000, intervalMs: 200, describe: () => `the engine of ${node.name} to answer; its log:\n${logTail(node)}` },
  );
}

function pidOf(node: SwarmNode): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(node), 'utf8').trim());
    return pid > 0 && existsSync(`/proc/${pid}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Stops the node's dockerd and waits until it has exited and removed its pidfile (SIGKILL after 20 s). */
async function stopEngine(node: SwarmNode): Promise<void> {
  const pid = pidOf(node);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (existsSync(`/proc/${pid}`)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await waitFor(() => !existsSync(`/proc/${pid}`), { timeoutMs: 10_000, describe: () => `dockerd ${pid} of ${node.name} to exit` });
  rmSync(pidFile(node), { force: true });
}

/** Processes left by a node: whatever runs in its namespace, or names its folders (containerd and its shims). */
function leftoverProcesses(): number[] {
  const ours = new Set<string>();
  for (let index = 1; index <= MAX_NODES; index++) {
    const file = `/run/netns/${namespace(nodeOf(index))}`;
    if (existsSync(file)) ours.add(`net:[${statSync(file).ino}]`);
  }
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(`${EXEC}/`) || cmdline.includes(`${DATA}/`) || ours.has(readlinkSync(`/proc/${pid}/ns/net`)) || inNodeCgroup(pid)) pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Whether `pid` runs in a cgroup a node's engine made (`--cgroup-parent=mnN`): a container of a killed node engine.
 * A sandbox's own engine and init keep running there after their node's dockerd is gone, in a network namespace of
 * their own, reparented to PID 1: four were left after every run before this was looked at.
 */
function inNodeCgroup(pid: number): boolean {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .some((line) => /^\/mn\d(\/|$)/.test(line.split(':')[2] ?? ''));
}

function ourMounts(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .map((path) => path.replace(/\\040/g, ' '))
    .filter((path) => path.startsWith(`${DATA}/`) || path.startsWith(`${EXEC}/`) || /^\/run\/netns\/ldmn\d$/.test(path))
    .reverse();
}

/** Removes the cgroup folders the nodes' `--cgroup-parent` made, deepest first (best effort: a busy one stays). */
function removeCgroups(): void {
  const remove = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) remove(join(dir, entry.name));
    try {
      rmdirSync(dir);
    } catch {
      // still in use, or not ours to remove
    }
  };
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    for (let index = 1; index <= MAX_NODES; index++) {
      const dir = join('/sys/fs/cgroup', controller, `mn${index}`);
      if (existsSync(dir)) remove(dir);
    }
  }
}

/** What is left of a multi-node swarm on this machine, one line per kind of trace (none: an empty list). */
export function multiNodeSwarmTraces(): string[] {
  const traces: string[] = [];
  const namespaces = Array.from({ length: MAX_NODES }, (_, i) => namespace(nodeOf(i + 1))).filter((ns) => existsSync(`/run/netns/${ns}`));
  if (namespaces.length > 0) traces.push(`namespaces ${namespaces.join(', ')}`);
  const links = sh('ip', ['-o', 'link', 'show'])
    .split('\n')
    .filter((line) => /\bldmn/.test(line));
  if (links.length > 0) traces.push(`${links.length} network interfaces`);
  if (tryRun('iptables', ['-C', 'FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT'])) traces.push('the FORWARD rule');
  const mounts = ourMounts();
  if (mounts.length > 0) traces.push(`${mounts.length} mounts`);
  const processes = leftoverProcesses();
  if (processes.length > 0) traces.push(`processes ${processes.join(', ')}`);
  for (const path of [DATA, EXEC]) if (existsSync(path)) traces.push(path);
  const sockets = readdirSync('/run').filter((name) => /^docker-mn\d\.sock$/.test(name));
  if (sockets.length > 0) traces.push(`sockets ${sockets.join(', ')}`);
  return traces;
}

/** Kills the node's dockerd at once (SIGKILL), as a crash or a killed test run leaves it: its containers keep running. */
export function killNodeEngine(node: SwarmNode): void {
  const pid = pidOf(node);
  if (pid !== undefined) process.kill(pid, 'SIGKILL');
}

/**
 * Removes every trace of a multi-node swarm, whatever state it is in (a run killed half-way included): services,
 * engines, shims, mounts, veths, namespaces, bridge, iptables rule, data-roots. Never touches anything else.
 */
export async function removeMultiNodeSwarm(): Promise<void> {
  const nodes = Array.from({ length: MAX_NODES }, (_, i) => nodeOf(i + 1));
  // Services first, while the manager answers: their tasks stop cleanly rather than leaving shims behind.
  for (const node of nodes) {
    if (pidOf(node) === undefined) continue;
    const services = await node.docker.listServices().catch(() => []);
    await Promise.all(
      services.map((service) =>
        node.docker
          .getService(service.ID)
          .remove()
          .catch(() => {}),
      ),
    );
  }
  for (const node of nodes) await stopEngine(node);
  for (let round = 0; round < 3; round++) {
    const pids = leftoverProcesses();
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  for (const mount of ourMounts()) tryRun('umount', ['-l', mount]);
  for (const node of nodes) {
    const ns = namespace(node);
    tryRun('ip', ['link', 'del', `${ns}-h`]);
    if (existsSync(`/run/netns/${ns}`)) tryRun('ip', ['netns', 'del', ns]);
    rmSync(new URL(node.host).pathname, { force: true });
  }
  tryRun('ip', ['link', 'del', BRIDGE]);
  while (tryRun('iptables', ['-D', 'FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT'])) {
    // a rule added twice by two killed runs goes twice
  }
  removeCgroups();
  rmSync(DATA, { recursive: true, force: true });
  rmSync(EXEC, { recursive: true, force: true });
}

/**
 * A fresh swarm of `nodes` engines (leftovers of an earlier run removed first), node 1 its manager and holding the
 * named images of the machine's engine. Remove it with remove() in an `after` hook: it runs even when a test fails.
 */
export async function createMultiNodeSwarm(options: { nodes: number; images: readonly string[]; source: Docker }): Promise<MultiNodeSwarm> {
  await removeMultiNodeSwarm();
  ensureBridge();
  const nodes: SwarmNode[] = [];
  const manager = nodeOf(1);
  await startEngine(manager);
  nodes.push(manager);
  await manager.docker.swarmInit({
    ListenAddr: `${manager.address}:2377`,
    AdvertiseAddr: manager.address,
    // Away from the bridge's 10.231.0.0/24: the swarm's overlays (ingress) take their subnets from here.
    DefaultAddrPool: ['10.232.0.0/16'],
    SubnetSize: 24,
    Spec: { Dispatcher: { HeartbeatPeriod: HEARTBEAT_NS } },
  });
  const joinSwarm = async (node: SwarmNode): Promise<void> => {
    await startEngine(node);
    const swarm = (await manager.docker.swarmInspect()) as { JoinTokens: { Worker: string } };
    await node.docker.swarmJoin({
      ListenAddr: `${node.address}:2377`,
      AdvertiseAddr: node.address,
      RemoteAddrs: [`${manager.address}:2377`],
      JoinToken: swarm.JoinTokens.Worker,
    });
    await waitFor(
      async () => {
        const listed = (await manager.docker.listNodes()) as { Description?: { Hostname?: string }; Status?: { State?: string } }[];
        return listed.some((n) => n.Description?.Hostname === node.hostname && n.Status?.State === 'ready');
      },
      { timeoutMs: 30_000, intervalMs: 200, describe: () => `${node.hostname} to be ready on the manager` },
    );
  };
  // The other engines boot and join while node 1 loads the images: the three waits overlap (12 to 15 s here, was 17 s).
  const others = Array.from({ length: options.nodes - 1 }, (_, i) => nodeOf(i + 2));
  const [loaded] = await Promise.all([preloadImages(options.source, manager.docker, options.images, () => {}), ...others.map(joinSwarm)]);
  const missing = options.images.filter((name) => !loaded.includes(name));
  if (missing.length > 0) throw new Error(`the machine's engine lacks ${missing.join(', ')}: build them first`);
  nodes.push(...others);
  return {
    nodes,
    manager,
    async addNode() {
      if (nodes.length >= MAX_NODES) throw new Error(`at most ${MAX_NODES} nodes`);
      const node = nodeOf(nodes.length + 1);
      await joinSwarm(node);
      nodes.push(node);
      return node;
    },
    async stopNode(node) {
      await stopEngine(node);
      await waitFor(
        async () => {
          const listed = (await manager.docker.listNodes()) as { Description?: { Hostname?: string }; Status?: { State?: string } }[];
          return listed.some((n) => n.Description?.Hostname === node.hostname && n.Status?.State === 'down');
        },
        { timeoutMs: 60_000, intervalMs: 200, describe: () => `${node.hostname} to be down on the manager` },
      );
    },
    remove: removeMultiNodeSwarm,
  };
}
