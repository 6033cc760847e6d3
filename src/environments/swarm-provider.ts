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
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectEngineAt, currentHost, type EngineAddress } from '../engine/engine-address.ts';
import { ensureSandboxImage } from '../engine/sandbox-image.ts';
import { SANDBOX_SEAT_LABEL, sandboxNames, sandboxNamesOf } from '../engine/sandbox-spec.ts';
import { createSandbox, findSandbox, listSandboxes, preloadImages, removeSandbox, waitForSandbox, type SandboxPlace } from '../engine/sandboxes.ts';
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
  startPreparing,
  writeEnterCommand,
} from './launcher.ts';
import type { AttendeeRef, EnvironmentProvider, EnvironmentStatus } from './provider.ts';
import { classKeyFile, ensureClassKey, hostKeyFile, knownHostsFile, makeHostKey, readHostKey } from './ssh-keys.ts';
import { stripTerminalControls } from '../text/untrusted-text.ts';
import { adoptSeatKeys, createWarmPool } from './warm-pool.ts';
import type { Seat } from '../engine/warm-seats.ts';

/** Sandboxes' ssh ports are given from here up (one per sandbox, swarm-wide). */
export const FIRST_SANDBOX_PORT = 2200;

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
}

export function createSwarmProvider(options: SwarmProviderOptions): EnvironmentProvider {
  const { docker, classId, root, config } = options;
  const running = new Map<string, Promise<void>>();
  const queue = limiter(options.concurrency ?? 2);
  // Creations one at a time: each picks the lowest port no sandbox publishes yet.
  const creation = limiter(1);
  let image: Promise<string> | undefined;
  let classKey: Promise<string> | undefined;
  const engineOf = (attendee: string): EngineAddress => sandboxEngineAddress(root, attendee);
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
   * (`seat`: then `attendee` is the seat).
   */
  const prepare = async (attendee: AttendeeRef, { seat, claimed: given }: { seat?: string; claimed?: Seat } = {}): Promise<void> => {
    const say = (line: string): void => {
      options.log(`environment ${attendee.id} (${stripTerminalControls(attendee.name)}): ${line}`);
      reportProgress(root, attendee.id, line);
    };
    startPreparing(root, attendee.id);
    try {
      image ??= ensureSandboxImage(docker, {
        log: (line) => options.log(`sandbox image: ${line}`),
      })
        .then((built) => built.name)
        .catch((error: unknown) => {
          image = undefined;
          throw error;
        });
      classKey ??= ensureClassKey(root, classId).catch((error: unknown) => {
        classKey = undefined;
        throw error;
      });
      say('preparing your sandbox (the first one of a class builds its image: about a minute)');
      const [imageName, publicKey] = await Promise.all([image, classKey]);
      // An attendee's sandbox may be a warm seat: claimed now (when they have none yet), or before a restart.
      const found = seat === undefined && !given ? await findSandbox(docker, classId, attendee.id) : undefined;
      const claimed = given ?? (found || seat !== undefined ? undefined : await pool.claim(attendee));
      const fromSeat = found?.Spec?.Labels?.[SANDBOX_SEAT_LABEL] ?? claimed?.seat;
      if (fromSeat !== undefined) adoptSeatKeys(root, fromSeat, attendee.id);
      if (claimed) say('a warm seat is yours: entering it');
      let names = sandboxNamesOf(found?.Spec?.Name ?? claimed?.service ?? sandboxNames(classId, attendee.id).service);
      let hostKey = readHostKey(root, attendee.id);
      if (!hostKey) {
        // A sandbox whose host key labdeck no longer has cannot be told from an impostor: it makes way for a new one.
        if (await removeSandbox(docker, classId, attendee.id)) say('its keys were lost: replacing the sandbox');
        names = sandboxNames(classId, attendee.id);
        hostKey = await makeHostKey(root, attendee.id, names.service);
      }
      // A seat just claimed was checked when it became ready (its engine answered over ssh, the images were in): it
      // is entered as soon as its task is seen running, with no request to its engine on the attendee's way in.
      const warmSeat = claimed !== undefined && names.service === claimed.service;
      const { outcome } = await creation(() =>
        createSandbox(docker, {
          classId,
          attendee: attendee.id,
          attendeeName: attendee.name,
          ...(seat === undefined ? {} : { seat }),
          image: imageName,
          memoryBytes: config.memoryBytes,
          nanoCpus: config.nanoCpus,
          authorizedKeys: publicKey,
          hostKey: hostKey.privateKey,
          firstPort: FIRST_SANDBOX_PORT,
        }),
      );
      if (!warmSeat) say(outcome === 'created' ? 'sandbox created, starting its Docker engine' : 'sandbox found, checking its Docker engine');
      const inner = connectEngineAt(engineOf(attendee.id));
      const place = await waitForSandbox(docker, classId, attendee.id, {
        timeoutMs: options.startTimeoutMs ?? 120_000,
        log: say,
        answers: async (where) => {
          writeEngineHost(root, attendee.id, sshUrl(where));
          if (warmSeat) return true;
          return inner.ping().then(
            () => true,
            () => false,
          );
        },
      });
      const loaded = warmSeat ? [] : await preloadImages(docker, inner, config.images, say);
      if (loaded.length > 0) say(`images ready: ${loaded.join(', ')}`);
      writeEnterCommand(root, attendee.id, sshCommand(root, attendee.id, names.service, place));
      say('ready');
    } catch (error) {
      const message = (error as Error).message;
      options.log(`environment ${attendee.id} (${stripTerminalControls(attendee.name)}): failed: ${message}`);
      reportFailure(root, attendee.id, message);
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
      .finally(() => running.delete(attendee.id));
    running.set(attendee.id, run);
    return run;
  };

  const down = async (attendee: AttendeeRef): Promise<boolean> => {
    await running.get(attendee.id)?.catch(() => {});
    const removed = await removeSandbox(docker, classId, attendee.id);
    removeAttendeeFolder(root, attendee.id);
    options.log(`environment ${attendee.id} (${stripTerminalControls(attendee.name)}): ${removed ? 'removed' : 'there was none'}`);
    return removed;
  };

  return {
    kind: 'swarm',
    localShells: false,
    // Every terminal runs inside the sandbox: a local shell there is its login bash, any other command runs from it.
    terminalCommands: (terminals) => Object.fromEntries(terminals.map((terminal) => [terminal.name, launcherTemplate(root, terminal.command)])),
    shellIntegration: launcherShellIntegrationOverSsh,
    engineOf,
    seats: pool,
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
        const service = sandbox?.service ?? sandboxNames(classId, attendee.id).service;
        if (running.has(attendee.id)) return { attendee, state: 'preparing', detail: service };
        if (!sandbox) return { attendee, state: 'absent', detail: 'no sandbox' };
        if (sandbox.state === 'failed') return { attendee, state: 'failed', detail: `${service}: ${sandbox.problem ?? 'its task failed'}` };
        if (sandbox.state === 'running' && isReady(root, attendee.id)) {
          return { attendee, state: 'ready', detail: `${service} at ${currentHost(engineOf(attendee.id)) ?? `node ${sandbox.node}`}` };
        }
        return { attendee, state: 'preparing', detail: `${service}${sandbox.problem ? `: ${sandbox.problem}` : ''}` };
      });
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
function sshCommand(root: string, attendee: string, alias: string, place: SandboxPlace): string[] {
  return [
    'ssh',
    '-F',
    'none',
    '-tt',
    '-i',
    classKeyFile(root),
    '-p',
    String(place.port),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHostsFile(root, attendee)}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `HostKeyAlias=${alias}`,
    '-o',
    'ServerAliveInterval=30',
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
