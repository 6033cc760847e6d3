// The `swarm` environment provider: per attendee, a sandbox running as a Docker Swarm service on the class swarm,
// with its own Docker engine inside (engine/sandbox-image.ts, engine/sandbox-spec.ts), wherever the swarm places it.
//
// One way in, from any node: ssh. The sandbox's sshd is published in host mode on a port of its own, on the node its
// task runs on; it accepts the class key (ssh-keys.ts) and proves itself with a host key labdeck made for it.
// Terminals run `ssh -tt … root@<node> <command>`; checks watch `ssh://root@<node>:<port>` (the docker CLI's
// `dial-stdio` inside), an address written to the attendee's folder once the sandbox runs, and read again at each
// connection, so that the checks' watch, started when the attendee joins, follows the sandbox when it is made.
//
// A sandbox holds near-root power over its node: use this provider on machines dedicated to a class, never on a
// shared server.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectEngineAt, currentHost, type EngineAddress } from '../engine/engine-address.ts';
import { ensureSandboxImage } from '../engine/sandbox-image.ts';
import { SANDBOX_SEAT_LABEL, sandboxNames, sandboxNamesOf } from '../engine/sandbox-spec.ts';
import { createSandbox, findSandbox, listSandboxes, preloadImages, removeSandbox, sandboxTasks, waitForSandbox, type SandboxPlace } from '../engine/sandboxes.ts';
import type { EngineClient } from '../engine/services.ts';
import type { SwarmEnvironmentConfig } from '../config/environment.ts';
import {
  attendeeFolder,
  isReady,
  launcherShellIntegrationOverSsh,
  launcherTemplate,
  removeAttendeeFolder,
  reportFailure,
  reportProgress,
  reportRecreated,
  startPreparing,
  writeEnterCommand,
} from './launcher.ts';
import type { AttendeeRef, EnvironmentProvider, EnvironmentStatus } from './provider.ts';
import { CLASS_FULL, createNodeImages, isClassFull, removeVolumeOnNodes, type NodeAccess, type SandboxImageRef } from './class-nodes.ts';
import { imageLabel } from '../engine/swarm-nodes.ts';
import type { EnvironmentNoteJson } from '../protocol.ts';
import { classKeyFile, ensureClassKey, hostKeyFile, knownHostsFile, makeHostKey, pinnedKeyOptions, readHostKey } from './ssh-keys.ts';
import { stripTerminalControls } from '../text/untrusted-text.ts';
import { adoptSeatKeys, createWarmPool, isSeatId } from './warm-pool.ts';
import { ensureClusterParts, otherClusterNodes, removeCluster } from '../engine/attendee-cluster.ts';
import {
  makeClusterKeys,
  readClusterKeys,
  readyOtherNodes,
  recordNodeTasks,
  recreatedNodes,
  reportNodeRecreated,
  reportNodesFailure,
  reportNodesProgress,
  startPreparingNodes,
} from './cluster-access.ts';
import type { Seat } from '../engine/warm-seats.ts';
import { followSeatOwner } from '../engine/cluster-seats.ts';

/** Sandboxes' ssh ports are given from here up (one per sandbox, swarm-wide). */
export const FIRST_SANDBOX_PORT = 2200;

/**
 * How often a serving provider asks the swarm where its sandboxes run (two requests for the whole class): with the
 * swarm's own delay in noticing a node down (a few heartbeats, 5 s each by default), it bounds how long a moved
 * sandbox's terminals and checks wait before they follow it.
 */
export const FOLLOW_INTERVAL_MS = 2000;

export interface SwarmProviderOptions {
  /** The class swarm's manager engine (the one labdeck runs next to). */
  readonly docker: EngineClient;
  /** The class code: `labdeck.sandbox=<class>`. */
  readonly classId: string;
  /** Where the attendees' folders are (launcher files, keys, the sandboxes' addresses). */
  readonly root: string;
  readonly config: SwarmEnvironmentConfig;
  readonly log: (line: string) => void;
  /** How long a sandbox may take to start (its engine included). */
  readonly startTimeoutMs?: number;
  /** How many sandboxes are prepared at once (each boots an engine: the machine's cores are the limit). */
  readonly concurrency?: number;
  /** How labdeck logs in to the nodes' engines (their `labdeck.engine` labels) to give them the sandbox image. */
  readonly nodeAccess?: NodeAccess;
  /** How often follow() asks the swarm where the sandboxes run (default FOLLOW_INTERVAL_MS). */
  readonly followIntervalMs?: number;
  /**
   * Told what the instructor should know of an attendee's sandbox: recreated by the swarm (its state lost), or
   * waiting for room (class full); null once it is ready after waiting.
   */
  readonly onNote?: (attendee: string, note: EnvironmentNoteJson | null) => void;
}

export function createSwarmProvider(options: SwarmProviderOptions): EnvironmentProvider {
  const { docker, classId, root, config } = options;
  const running = new Map<string, Promise<void>>();
  /** Attendees told "class full" whose note goes once their sandbox is ready. */
  const waitedForRoom = new Set<string>();
  const queue = limiter(options.concurrency ?? 2);
  // Creations one at a time: each picks the lowest port no sandbox publishes yet.
  const creation = limiter(1);
  let image: Promise<SandboxImageRef> | undefined;
  const giveNodesImage = createNodeImages({ docker, access: options.nodeAccess ?? {}, log: options.log });
  let classKey: Promise<string> | undefined;
  const engineOf = (attendee: string): EngineAddress => sandboxEngineAddress(root, attendee);
  // A cluster per attendee (node1…nodeN): cluster-access.ts and engine/attendee-cluster.ts; its warm seats hold whole
  // clusters, claimed by node1 (engine/cluster-seats.ts).
  const nodes = config.nodes ?? 1;
  const clustered = nodes > 1;
  // Seats are prepared as attendees' sandboxes are, in a queue of their own: a joining attendee never waits behind
  // the pool's refill.
  const pool = createWarmPool({
    docker,
    classId,
    root,
    target: config.warm ?? 0,
    prepare: (seat) => prepare(seat, { seat: seat.id }),
    remove: (seat) => down(seat),
    log: options.log,
    concurrency: options.concurrency ?? 2,
  });

  /**
   * Makes (or finds) the sandbox of an attendee (`claimed`: the warm seat they were just given), or of a warm seat
   * (`seat`: then `attendee` is the seat); resolves to the swarm task it is ready in.
   */
  const prepare = async (attendee: AttendeeRef, { seat, claimed: given }: { seat?: string; claimed?: Seat } = {}): Promise<string> => {
    const say = (line: string): void => {
      options.log(`environment ${attendee.id} (${stripTerminalControls(attendee.name)}): ${line}`);
      reportProgress(root, attendee.id, line);
      if (clustered) reportNodesProgress(root, attendee.id, nodes, line);
    };
    startPreparing(root, attendee.id);
    if (clustered) startPreparingNodes(root, attendee.id, nodes);
    try {
      image ??= ensureSandboxImage(docker, {
        log: (line) => options.log(`sandbox image: ${line}`),
      })
        .then((built) => ({ name: built.name, id: built.id }))
        .catch((error: unknown) => {
          image = undefined;
          throw error;
        });
      classKey ??= ensureClassKey(root, classId).catch((error: unknown) => {
        classKey = undefined;
        throw error;
      });
      say('preparing your sandbox (the first one of a class builds its image: about a minute)');
      const [sandboxImage, publicKey] = await Promise.all([image, classKey]);
      // No registry: the nodes that lack the image get it from this engine first (sandboxes go only where it is).
      await giveNodesImage(sandboxImage);
      // An attendee's sandbox may be a warm seat: claimed now (when they have none yet), or before a restart.
      const found = seat === undefined && !given ? await findSandbox(docker, classId, attendee.id) : undefined;
      const claimed = given ?? (found || seat !== undefined ? undefined : await pool.claim(attendee));
      const fromSeat = found?.Spec?.Labels?.[SANDBOX_SEAT_LABEL] ?? claimed?.seat;
      if (fromSeat !== undefined) adoptSeatKeys(root, fromSeat, attendee.id);
      // A seat holding a cluster: its other nodes become the attendee's with node1 (again, after a restart mid-way).
      if (clustered && fromSeat !== undefined) await followSeatOwner(docker, classId, fromSeat);
      if (claimed) say('a warm seat is yours: entering it');
      let names = sandboxNamesOf(found?.Spec?.Name ?? claimed?.service ?? sandboxNames(classId, attendee.id).service);
      let hostKey = readHostKey(root, attendee.id);
      let clusterKeys = clustered ? readClusterKeys(root, attendee.id, nodes) : undefined;
      if (!hostKey || (clustered && !clusterKeys)) {
        // A sandbox whose host key labdeck no longer has cannot be told from an impostor: it makes way for a new one
        // (a cluster, whole: its nodes trust each other's keys).
        const removed = clustered ? (await removeCluster(docker, classId, attendee.id)).removed : await removeSandbox(docker, classId, attendee.id);
        if (removed) say('its keys were lost: replacing the sandbox');
        names = sandboxNames(classId, attendee.id);
        hostKey = await makeHostKey(root, attendee.id, names.service);
        if (clustered) clusterKeys = await makeClusterKeys(root, attendee.id, classId, nodes);
      }
      const cluster =
        clustered && clusterKeys
          ? await ensureClusterParts(docker, {
              classId,
              attendee: attendee.id,
              attendeeName: attendee.name,
              image: sandboxImage.name,
              requiredNodeLabel: imageLabel(sandboxImage.id),
              memoryBytes: config.memoryBytes,
              nanoCpus: config.nanoCpus,
              nodes,
              service: names.service,
              ...(seat === undefined ? {} : { seat }),
              authorizedKeys: `${publicKey.trim()}\n${clusterKeys.publicKey}\n`,
              clusterKey: clusterKeys.privateKey,
              knownHosts: clusterKeys.knownHosts,
              hostKeys: clusterKeys.hostKeys,
            })
          : undefined;
      // A seat just claimed was checked when it became ready (its engine answered over ssh, the images were in): it
      // is entered as soon as its task is seen running, with no request to its engine on the attendee's way in,
      // unless that task is not the one it was made ready in (the swarm recreated it meanwhile).
      const warmSeat = claimed !== undefined && names.service === claimed.service;
      const readyIn = (task: string): boolean => warmSeat && task === claimed?.readyTask;
      const { outcome } = await creation(() =>
        createSandbox(docker, {
          classId,
          attendee: attendee.id,
          attendeeName: attendee.name,
          ...(seat === undefined ? {} : { seat }),
          image: sandboxImage.name,
          requiredNodeLabel: imageLabel(sandboxImage.id),
          memoryBytes: config.memoryBytes,
          nanoCpus: config.nanoCpus,
          authorizedKeys: cluster && clusterKeys ? `${publicKey.trim()}\n${clusterKeys.publicKey}\n` : publicKey,
          hostKey: hostKey.privateKey,
          firstPort: FIRST_SANDBOX_PORT,
          cluster,
        }),
      );
      if (!warmSeat) say(outcome === 'created' ? 'sandbox created, starting its Docker engine' : 'sandbox found, checking its Docker engine');
      const inner = connectEngineAt(engineOf(attendee.id));
      const place = await waitForSandbox(docker, classId, attendee.id, {
        timeoutMs: options.startTimeoutMs ?? 120_000,
        log: say,
        // The sandbox keeps its place in line: the swarm starts it when a node has room (see watchSandboxes).
        hopeless: (state, error) => (state === 'pending' && isClassFull(error) ? CLASS_FULL : undefined),
        answers: async (where) => {
          writeEngineHost(root, attendee.id, sshUrl(where));
          if (readyIn(where.task)) return true;
          return inner.ping().then(
            () => true,
            () => false,
          );
        },
      });
      const loaded = readyIn(place.task) ? [] : await preloadImages(docker, inner, config.images, say);
      if (loaded.length > 0) say(`images ready: ${loaded.join(', ')}`);
      writeRecordedTask(root, attendee.id, place.task);
      writeEnterCommand(root, attendee.id, sshCommand(root, attendee.id, names.service, place));
      if (clustered) {
        const node1Ssh = sshCommand(root, attendee.id, names.service, place, { tty: false });
        await readyOtherNodes({ root, attendee: attendee.id, classId, nodes, images: config.images, node1Ssh, say, service: names.service });
        recordNodeTasks(root, attendee.id, (await otherClusterNodes(docker, classId)).get(attendee.id) ?? []);
      }
      if (waitedForRoom.delete(attendee.id)) options.onNote?.(attendee.id, null);
      say('ready');
      return place.task;
    } catch (error) {
      const message = (error as Error).message;
      options.log(`environment ${attendee.id} (${stripTerminalControls(attendee.name)}): failed: ${message}`);
      reportFailure(root, attendee.id, message);
      if (clustered) reportNodesFailure(root, attendee.id, nodes, message);
      if (message === CLASS_FULL) {
        waitedForRoom.add(attendee.id);
        options.onNote?.(attendee.id, { text: CLASS_FULL, at: Date.now() });
      }
      throw error;
    }
  };

  const up = (attendee: AttendeeRef): Promise<void> => {
    const current = running.get(attendee.id);
    if (current) return current;
    // A ready warm seat is entered at once; only a sandbox still to be made waits for its turn (it boots an engine).
    const claimNow = async (): Promise<Seat | undefined> => ((await findSandbox(docker, classId, attendee.id)) ? undefined : pool.claim(attendee));
    const run = claimNow()
      .catch(() => undefined) // the queued preparation tries again, and reports what fails to the attendee
      .then((claimed) => (claimed ? prepare(attendee, { claimed }) : queue(() => prepare(attendee))))
      .then(() => {})
      .finally(() => running.delete(attendee.id));
    running.set(attendee.id, run);
    return run;
  };

  const down = async (attendee: AttendeeRef): Promise<boolean> => {
    await running.get(attendee.id)?.catch(() => {});
    // The whole cluster, when it is one (or was one, before the class went back to one node per attendee).
    const { removed, volumes } = await removeCluster(docker, classId, attendee.id);
    // Its engine's volume stays on the node that ran it: removed there too, when labdeck reaches that node.
    const leftVolumes = new Set([sandboxNames(classId, attendee.id).volume, ...volumes]);
    for (const volume of leftVolumes) await removeVolumeOnNodes(docker, options.nodeAccess ?? {}, volume, options.log);
    removeAttendeeFolder(root, attendee.id);
    options.log(`environment ${attendee.id} (${stripTerminalControls(attendee.name)}): ${removed ? 'removed' : 'there was none'}`);
    return removed;
  };

  /**
   * A sandbox whose running task is not the one it was made ready with was recreated by the swarm (its node failed or
   * left): its state is lost, and it is prepared again where it runs now (new address for the terminals and checks,
   * the class's images loaded again). A sandbox that waited for room (class full) and now runs is prepared too. And
   * nodes that joined since get the image, so that waiting sandboxes find room there.
   */
  const follow = (): { dispose(): void } => {
    let busy = false;
    /** Sandboxes seen waiting for room at the last tick: told at the second, not for a moment's pending. */
    let waitingBefore = new Set<string>();
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        const waiting = new Set<string>();
        const clusterNodes = clustered ? await otherClusterNodes(docker, classId) : undefined;
        for (const sandbox of await sandboxTasks(docker, classId)) {
          const id = sandbox.attendee;
          // Unclaimed warm seats are the pool's: it replaces one the swarm recreated.
          if (running.has(id) || !hasFolder(root, id) || isSeatId(id)) continue;
          // A sandbox the swarm could not recreate anywhere (its node failed, no other has room): its attendee's
          // terminals stop reconnecting and say why, as at a join.
          if (sandbox.state === 'pending' && isClassFull(sandbox.error) && readRecordedTask(root, id) !== undefined && !isFailedForRoom(root, id)) {
            waiting.add(id);
            if (!waitingBefore.has(id)) continue;
            options.log(`environment ${id} (${stripTerminalControls(sandbox.name)}): its sandbox waits for room on the swarm: ${CLASS_FULL}`);
            startPreparing(root, id); // no way in until it runs again
            reportFailure(root, id, CLASS_FULL);
            waitedForRoom.add(id);
            options.onNote?.(id, { text: CLASS_FULL, at: Date.now() });
            continue;
          }
          if (sandbox.state !== 'running') continue;
          const recorded = readRecordedTask(root, id);
          const name = stripTerminalControls(sandbox.name);
          if (recorded === sandbox.task) {
            // node1 as it was made ready; another node of its cluster the swarm recreated is prepared again, as node1 is
            // (the whole cluster's preparation: it finds what is still ready, and gives the new node the images).
            const recreated = clusterNodes ? recreatedNodes(root, id, clusterNodes.get(id) ?? []) : [];
            if (recreated.length === 0) continue;
            options.log(
              `environment ${id} (${name}): ${recreated.join(', ')} of its cluster recreated by the swarm (its node failed or left): state lost, preparing it again`,
            );
            for (const node of recreated) reportNodeRecreated(root, id, node);
            options.onNote?.(id, { text: `${recreated.join(', ')} recreated (its node failed or left): state lost`, at: Date.now() });
            up({ id, name }).catch(() => {});
            continue;
          }
          if (recorded !== undefined) {
            options.log(`environment ${id} (${name}): its sandbox was recreated by the swarm (its node failed or left): state lost, preparing it again`);
            reportRecreated(root, id);
            waitedForRoom.delete(id); // this note replaces a "class full" one
            options.onNote?.(id, { text: 'sandbox recreated (its node failed or left): state lost', at: Date.now() });
          } else if (!isFailedForRoom(root, id)) continue;
          up({ id, name }).catch(() => {});
        }
        waitingBefore = waiting;
        const ready = image && (await image.catch(() => undefined));
        if (ready) await giveNodesImage(ready);
      } catch (error) {
        options.log(`sandboxes: could not ask the swarm where they run: ${(error as Error).message.split('\n')[0]}`);
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), options.followIntervalMs ?? FOLLOW_INTERVAL_MS);
    timer.unref();
    return { dispose: () => clearInterval(timer) };
  };

  return {
    kind: 'swarm',
    follow,
    localShells: false,
    // Every terminal runs inside the sandbox (node1, or the node of the attendee's cluster it names): a local shell
    // there is its login bash, any other command runs from it.
    terminalCommands: (terminals) => Object.fromEntries(terminals.map((terminal) => [terminal.name, launcherTemplate(root, terminal.command, terminal.node)])),
    shellIntegration: launcherShellIntegrationOverSsh,
    ...(clustered ? { nodes } : {}),
    engineOf,
    seats: pool,
    up,
    down,
    async reset(attendee) {
      await down(attendee);
      await up(attendee);
    },
    async status(attendees): Promise<EnvironmentStatus[]> {
      const [sandboxes, clusterNodes] = await Promise.all([listSandboxes(docker, classId), clustered ? otherClusterNodes(docker, classId) : undefined]);
      // A cluster's status is node1's, followed by its other nodes' states.
      const withNodes = (status: EnvironmentStatus): EnvironmentStatus => {
        const others = clusterNodes?.get(status.attendee.id);
        if (!others || others.length === 0) return status;
        return { ...status, detail: `${status.detail}; ${others.map((node) => `${node.node} ${node.state}${node.problem ? ` (${node.problem})` : ''}`).join(', ')}` };
      };
      const known = new Map(attendees.map((attendee) => [attendee.id, attendee]));
      // Sandboxes of attendees the caller does not know (e.g. made by hand, or a class store reset) are listed too.
      for (const sandbox of sandboxes) if (!known.has(sandbox.attendee)) known.set(sandbox.attendee, { id: sandbox.attendee, name: sandbox.name });
      return [...known.values()].map((attendee) => withNodes(statusOf(attendee)));
      function statusOf(attendee: AttendeeRef): EnvironmentStatus {
        const sandbox = sandboxes.find((candidate) => candidate.attendee === attendee.id);
        const service = sandbox?.service ?? sandboxNames(classId, attendee.id).service;
        if (running.has(attendee.id)) return { attendee, state: 'preparing', detail: service };
        if (!sandbox) return { attendee, state: 'absent', detail: 'no sandbox' };
        if (sandbox.state === 'failed') return { attendee, state: 'failed', detail: `${service}: ${sandbox.problem ?? 'its task failed'}` };
        if (sandbox.state === 'running' && isReady(root, attendee.id)) {
          return { attendee, state: 'ready', detail: `${service} at ${currentHost(engineOf(attendee.id)) ?? `node ${sandbox.node}`}` };
        }
        if (isClassFull(sandbox.problem)) return { attendee, state: 'failed', detail: `${service}: ${CLASS_FULL}` };
        return { attendee, state: 'preparing', detail: `${service}${sandbox.problem ? `: ${sandbox.problem}` : ''}` };
      }
    },
  };
}

/**
 * The attendee's inner engine, as labdeck reaches it: over ssh with the class key, at the address written once the
 * sandbox runs (known before the sandbox exists: it is files).
 */
export function sandboxEngineAddress(root: string, attendee: string): EngineAddress {
  return { hostFile: engineHostFile(root, attendee), ssh: { identity: classKeyFile(root), hostKey: `${hostKeyFile(root, attendee)}.pub` } };
}

/** The task the sandbox was made ready with: another one running means the swarm recreated it. */
function recordedTaskFile(root: string, attendee: string): string {
  return join(attendeeFolder(root, attendee), 'task');
}

function writeRecordedTask(root: string, attendee: string, task: string): void {
  writeFileSync(recordedTaskFile(root, attendee), `${task}\n`);
}

function readRecordedTask(root: string, attendee: string): string | undefined {
  try {
    return readFileSync(recordedTaskFile(root, attendee), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The attendee's preparation failed for want of room (their terminal said "class full"). */
function isFailedForRoom(root: string, attendee: string): boolean {
  try {
    return readFileSync(join(attendeeFolder(root, attendee), 'failed'), 'utf8').trim() === CLASS_FULL;
  } catch {
    return false;
  }
}

/** True when labdeck prepares this attendee's environment (a sandbox labelled by hand, or for a bad id, is not). */
function hasFolder(root: string, attendee: string): boolean {
  try {
    return existsSync(attendeeFolder(root, attendee));
  } catch {
    return false;
  }
}

function engineHostFile(root: string, attendee: string): string {
  return join(attendeeFolder(root, attendee), 'engine-host');
}

function writeEngineHost(root: string, attendee: string, url: string): void {
  const file = engineHostFile(root, attendee);
  writeFileSync(`${file}.tmp`, `${url}\n`);
  renameSync(`${file}.tmp`, file);
}

function sshUrl(place: SandboxPlace): string {
  return `ssh://root@${hostPart(place.address)}:${place.port}`;
}

function hostPart(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * What terminals exec to enter the sandbox, followed by their own command (ssh joins its words with spaces for the
 * remote shell). No user ssh configuration applies; only the class key is offered, and only this sandbox's host key
 * is trusted, under the sandbox's name (`HostKeyAlias`), wherever it runs.
 */
function sshCommand(root: string, attendee: string, alias: string, place: SandboxPlace, { tty = true } = {}): string[] {
  return [
    'ssh',
    '-F',
    'none',
    ...(tty ? ['-tt'] : []),
    '-p',
    String(place.port),
    ...pinnedKeyOptions({ identity: classKeyFile(root), knownHosts: knownHostsFile(root, attendee), alias }),
    // A node that fails without closing the connection (power, network) is noticed within 15 s: the terminal then
    // waits for the sandbox where the swarm recreates it.
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'LogLevel=ERROR',
    `root@${place.address}`,
  ];
}

/** Runs at most `limit` of the given tasks at a time, in the order they came. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
