// The `swarm` environment provider: per attendee, a sandbox running as a Docker Swarm service on the class swarm,
// with its own Docker engine inside (engine/sandbox-image.ts, engine/sandbox-spec.ts). Terminals run inside the
// sandbox (`docker exec -it <sandbox> …`), checks watch its inner engine.
//
// How labdeck reaches a sandbox: its inner engine listens on a unix socket in a host folder bind-mounted into it
// (`<environments>/<attendee>/engine/docker.sock`), and terminals `docker exec` into its container on this engine.
// Both only work on the node labdeck runs on, so sandboxes are pinned to it (a placement constraint); the spread
// preference in the spec takes over once sandboxes are reached over the network (see docs/environments.md).
//
// A sandbox holds near-root power over its node: use this provider on machines dedicated to a class, never on a
// shared server.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectEngine } from '../engine/docker.ts';
import type { EngineAddress } from '../engine/engine-address.ts';
import { ensureSandboxImage, SANDBOX_SOCKET_FOLDER } from '../engine/sandbox-image.ts';
import { sandboxNames } from '../engine/sandbox-spec.ts';
import { createSandbox, listSandboxes, localNodeId, preloadImages, removeSandbox, waitForSandbox } from '../engine/sandboxes.ts';
import type { EngineClient } from '../engine/services.ts';
import type { SwarmEnvironmentConfig } from './environment-config.ts';
import { attendeeFolder, isReady, launcherTemplate, removeAttendeeFolder, reportFailure, reportProgress, startPreparing, writeEnterCommand } from './launcher.ts';
import type { AttendeeRef, EnvironmentProvider, EnvironmentStatus } from './provider.ts';

export interface SwarmProviderOptions {
  /** The class swarm's manager engine (the one labdeck runs next to). */
  readonly docker: EngineClient;
  /** The class code: `labdeck.sandbox=<class>`. */
  readonly classId: string;
  /** Where the attendees' folders are (launcher files and engine sockets). Unix sockets need a short path. */
  readonly root: string;
  readonly config: SwarmEnvironmentConfig;
  readonly log: (line: string) => void;
  /** How long a sandbox may take to start (its engine included). */
  readonly startTimeoutMs?: number;
  /** How many sandboxes are prepared at once (each boots an engine: the machine's cores are the limit). */
  readonly concurrency?: number;
}

export function createSwarmProvider(options: SwarmProviderOptions): EnvironmentProvider {
  const { docker, classId, root, config } = options;
  const running = new Map<string, Promise<void>>();
  const queue = limiter(options.concurrency ?? 2);
  let image: Promise<string> | undefined;
  let node: Promise<string> | undefined;
  const socketFolder = (attendee: string): string => sandboxSocketFolder(root, attendee);
  const engineOf = (attendee: string): EngineAddress => sandboxEngineAddress(root, attendee);

  const prepare = async (attendee: AttendeeRef): Promise<void> => {
    const say = (line: string): void => {
      options.log(`environment ${attendee.id} (${attendee.name}): ${line}`);
      reportProgress(root, attendee.id, line);
    };
    startPreparing(root, attendee.id);
    try {
      image ??= ensureSandboxImage(docker, {
        log: (line) => options.log(`sandbox image: ${line}`),
      }).then((built) => built.name).catch((error: unknown) => {
        image = undefined;
        throw error;
      });
      say('preparing your sandbox (the first one of a class builds its image: about a minute)');
      const imageName = await image;
      node ??= localNodeId(docker);
      const nodeId = await node;
      mkdirSync(socketFolder(attendee.id), { recursive: true });
      // A socket left by a previous sandbox would answer nothing: the new engine makes its own.
      rmSync(join(socketFolder(attendee.id), 'docker.sock'), { force: true });
      const outcome = await createSandbox(docker, {
        classId, attendee: attendee.id, attendeeName: attendee.name, image: imageName,
        memoryBytes: config.memoryBytes, nanoCpus: config.nanoCpus,
        socketFolder: socketFolder(attendee.id), socketTarget: SANDBOX_SOCKET_FOLDER,
        constraints: [`node.id==${nodeId}`],
      });
      say(outcome === 'created' ? 'sandbox created, starting its Docker engine' : 'sandbox found, checking its Docker engine');
      const inner = connectEngine(engineOf(attendee.id));
      const container = await waitForSandbox(docker, inner, classId, attendee.id, { timeoutMs: options.startTimeoutMs ?? 120_000, log: say });
      const loaded = await preloadImages(docker, inner, config.images, say);
      if (loaded.length > 0) say(`images ready: ${loaded.join(', ')}`);
      writeEnterCommand(root, attendee.id, ['docker', 'exec', '-it', '-w', '/root', container]);
      say('ready');
    } catch (error) {
      const message = (error as Error).message;
      options.log(`environment ${attendee.id} (${attendee.name}): failed: ${message}`);
      reportFailure(root, attendee.id, message);
      throw error;
    }
  };

  const up = (attendee: AttendeeRef): Promise<void> => {
    const current = running.get(attendee.id);
    if (current) return current;
    const run = queue(() => prepare(attendee)).finally(() => running.delete(attendee.id));
    running.set(attendee.id, run);
    return run;
  };

  const down = async (attendee: AttendeeRef): Promise<boolean> => {
    await running.get(attendee.id)?.catch(() => {});
    const removed = await removeSandbox(docker, classId, attendee.id);
    removeAttendeeFolder(root, attendee.id);
    options.log(`environment ${attendee.id} (${attendee.name}): ${removed ? 'removed' : 'there was none'}`);
    return removed;
  };

  return {
    kind: 'swarm',
    localShells: false,
    // Every terminal runs inside the sandbox: a local shell there is its login bash, any other command runs from it.
    terminalCommands: (terminals) => Object.fromEntries(terminals.map((terminal) => [terminal.name, launcherTemplate(root, terminal.command)])),
    engineOf,
    up,
    down,
    async reset(attendee) {
      await down(attendee);
      await up(attendee);
    },
    async status(attendees): Promise<EnvironmentStatus[]> {
      const sandboxes = await listSandboxes(docker, classId);
      const known = new Map(attendees.map((attendee) => [attendee.id, attendee]));
      // Sandboxes of attendees the caller does not know (e.g. made by hand, or a class store reset) are listed too.
      for (const sandbox of sandboxes) if (!known.has(sandbox.attendee)) known.set(sandbox.attendee, { id: sandbox.attendee, name: sandbox.name });
      return [...known.values()].map((attendee): EnvironmentStatus => {
        const sandbox = sandboxes.find((candidate) => candidate.attendee === attendee.id);
        const service = sandboxNames(classId, attendee.id).service;
        if (running.has(attendee.id)) return { attendee, state: 'preparing', detail: service };
        if (!sandbox) return { attendee, state: 'absent', detail: 'no sandbox' };
        if (sandbox.state === 'failed') return { attendee, state: 'failed', detail: `${service}: ${sandbox.problem ?? 'its task failed'}` };
        if (sandbox.state === 'running' && isReady(root, attendee.id)) return { attendee, state: 'ready', detail: `${service} on node ${sandbox.node}` };
        return { attendee, state: 'preparing', detail: `${service}${sandbox.problem ? `: ${sandbox.problem}` : ''}` };
      });
    },
  };
}

/** The host folder bind-mounted into the attendee's sandbox, where its inner engine's socket appears. */
function sandboxSocketFolder(root: string, attendee: string): string {
  return join(attendeeFolder(root, attendee), 'engine');
}

/** The attendee's inner engine, as labdeck reaches it (known before the sandbox exists: it is a path). */
export function sandboxEngineAddress(root: string, attendee: string): EngineAddress {
  return { host: `unix://${join(sandboxSocketFolder(root, attendee), 'docker.sock')}` };
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
