// The HTTP agent that carries Engine API requests over ssh (`ssh://` engines: swarm sandboxes, prepared VMs).
//
// Every request needs a byte pipe to the engine's socket: an ssh channel running `docker system dial-stdio` on the
// server, as the docker CLI does for `ssh://`. One ssh connection per request costs a key exchange and an sshd
// process, and every dial-stdio is a docker CLI process (about 40 MB and 0.1 CPU-s to start, inside the attendee's
// resource-limited sandbox); a check re-reading an attendee's engine makes about eight requests. So here all the
// channels of one agent share one ssh connection, and a channel serves request after request (HTTP keep-alive, as
// the docker CLI's own transport does): a warm engine read costs no handshake and starts no process.
//
// Limits: at most MAX_CHANNELS requests at once (each channel holds a process); further requests wait in Node's
// agent queue for a free one. A long stream (the `/events` watch) holds one. A hijacked stream (an exec probe) leaves
// Node's count once upgraded, so the connection also caps its open channels at SESSIONS_PER_CONNECTION, below
// sshd's MaxSessions (10 by default), past which sshd refuses them. An idle channel closes after IDLE_CHANNEL_MS,
// and the connection with its last channel. The connection keeps the process alive only while a request uses it: a
// command line (`labdeck env up`) exits when its work is done, not when its idle channels time out.
import { Agent, type ClientRequestArgs } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type ssh2 from 'ssh2';
import { createRequire } from 'node:module';

/** Where and as whom to connect; resolved again for each new connection (a sandbox may have moved or been reset). */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** What to log in with: a private key (OpenSSH format), an ssh-agent's socket, or both. */
  readonly privateKey?: Buffer;
  readonly agent?: string;
  /** Why the host key the server presented (its blob) is refused; undefined when it is the one expected. */
  readonly hostKeyProblem: (key: Buffer) => string | undefined;
  /** Tells this target from another (address, expected key): a target that differs gets a new connection. */
  readonly identity: string;
  /**
   * The engine is on another machine, reached from this one (a jump host: `ssh -J`): a TCP connection from there to
   * `host:port`, logged in to with the same key, whose host key `hostKeyProblem` checks.
   */
  readonly next?: Pick<SshTarget, 'host' | 'port' | 'username' | 'hostKeyProblem'>;
}

/** Requests at once (Node's agent queues the others). */
export const MAX_CHANNELS = 4;
/** Channels open at once on one connection, hijacked streams included; the others wait for one to close. */
const SESSIONS_PER_CONNECTION = 8;
/** A channel left idle this long is closed (it holds a dial-stdio process on the server). */
export const IDLE_CHANNEL_MS = 10_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Tries at opening a channel sshd refused (25 ms, doubling: about 3 s in all). */
const OPEN_ATTEMPTS = 7;
const DIAL_STDIO = 'docker system dial-stdio';

interface SharedConnection {
  /** Host, port, user and host key: a target that differs gets a new connection. */
  readonly identity: string;
  client: Client;
  readonly socket: Socket;
  readonly ready: Promise<void>;
  /** Ends the connection (and its jump host's). */
  readonly end: () => void;
  /** Channel sockets on it (waiting, opening or open), and how many of them a request is using. */
  channels: number;
  busy: number;
  /** Channels opening or open (until sshd confirms their close), and the sockets waiting for one of them. */
  sessions: number;
  readonly waiting: ChannelSocket[];
  finished: boolean;
}

export class SshDialAgent extends Agent {
  private connection: SharedConnection | undefined;

  /** `target` throws when the engine cannot be reached yet (no address): the request fails with that error. */
  constructor(private readonly target: () => SshTarget) {
    // Every idle channel is kept for a while: a snapshot read comes in bursts, and a channel opened again costs a
    // process start in the sandbox (keeping only two tripled the read time in bench/ssh-engines.ts).
    super({ keepAlive: true, maxSockets: MAX_CHANNELS, maxFreeSockets: MAX_CHANNELS });
  }

  /**
   * The socket is handed over at once, before its channel is open: Node's agent counts a socket only once it has
   * it, and would otherwise open a channel for every request of a burst, past MAX_CHANNELS.
   */
  override createConnection(_options: ClientRequestArgs): Duplex {
    let connection: SharedConnection;
    try {
      connection = this.connectionFor(this.target());
    } catch (error) {
      const socket = new Duplex({ read() {}, write() {} });
      process.nextTick(() => socket.destroy(error as Error));
      return socket;
    }
    const socket = new ChannelSocket(
      connection,
      () => this.socketClosed(connection),
      (busy) => this.updateRef(connection, busy),
    );
    connection.ready.then(
      () => {
        if (connection.sessions < SESSIONS_PER_CONNECTION) this.openChannel(connection, socket);
        else connection.waiting.push(socket);
      },
      (error: Error) => socket.destroy(error),
    );
    return socket;
  }

  /**
   * Asks for the socket's channel. sshd counts a session until its process has exited, a little after the channel
   * closed, so under churn (one channel per exec probe) it may refuse one below our count: that is tried again.
   */
  private openChannel(connection: SharedConnection, socket: ChannelSocket, attempt = 0): void {
    if (connection.finished) {
      socket.destroy(new Error('the ssh connection to the engine closed'));
      return;
    }
    connection.sessions++;
    const opened = (error: Error | undefined, channel: ClientChannel | undefined): void => {
      if (error || !channel) {
        connection.sessions--;
        if (error && isSessionRefused(error) && attempt < OPEN_ATTEMPTS && !connection.finished) {
          setTimeout(() => (socket.destroyed ? this.openWaiting(connection) : this.openChannel(connection, socket, attempt + 1)), 25 * 2 ** attempt);
          return;
        }
        socket.destroy(error ?? new Error('no channel'));
        this.openWaiting(connection);
        return;
      }
      channel.once('close', () => {
        connection.sessions--;
        this.openWaiting(connection);
      });
      socket.attach(channel);
    };
    try {
      connection.client.exec(DIAL_STDIO, opened);
    } catch (error) {
      // ssh2 throws rather than calls back when the connection is already gone.
      opened(error as Error, undefined);
    }
  }

  private openWaiting(connection: SharedConnection): void {
    while (connection.sessions < SESSIONS_PER_CONNECTION) {
      const next = connection.waiting.shift();
      if (!next) return;
      if (!next.destroyed) this.openChannel(connection, next);
    }
  }

  private socketClosed(connection: SharedConnection): void {
    connection.channels--;
    this.endIfUnused(connection);
  }

  /** A request is done with its channel: it waits in the pool for the next one (HTTP keep-alive), for a while. */
  override keepSocketAlive(socket: Duplex): boolean {
    if (!(socket instanceof ChannelSocket)) return false;
    socket.unref();
    socket.closeWhenIdleFor(IDLE_CHANNEL_MS);
    return true;
  }

  override destroy(): void {
    super.destroy();
    this.connection?.end();
  }

  private connectionFor(target: SshTarget): SharedConnection {
    const identity = target.identity;
    const current = this.connection;
    if (current && !current.finished && current.identity === identity) return current;
    // A connection to a former address ends by itself with its last channel.
    // TCP keep-alive: a machine that vanished without a word (a network cut) ends the connection after the kernel's
    // probes, instead of leaving the `/events` watch listening to nothing for ever.
    const socket = connectTcp({ host: target.host, port: target.port, keepAlive: true, keepAliveInitialDelay: 15_000 });
    const first = login(target, socket);
    const next = target.next;
    // Through a jump host: the engine's machine is logged in to over a TCP connection the first one opens.
    const hop = next
      ? first.ready.then(
          () =>
            new Promise<SshLogin>((resolve, reject) => {
              first.client.forwardOut('127.0.0.1', 0, next.host, next.port, (error, stream) => {
                if (error) reject(new Error(`${target.host} could not reach ${next.host}:${next.port}: ${error.message}`));
                else {
                  try {
                    resolve(login({ ...target, ...next }, stream));
                  } catch (problem) {
                    reject(problem as Error);
                  }
                }
              });
            }),
        )
      : undefined;
    const connection: SharedConnection = {
      identity,
      // The engine's machine, once logged in to: the first one's until then (no channel opens before `ready`).
      client: first.client,
      socket,
      channels: 0,
      busy: 0,
      sessions: 0,
      waiting: [],
      finished: false,
      ready: hop ? hop.then((last) => last.ready.then(() => void (connection.client = last.client))) : first.ready,
      // Ending a connection through a jump host ends both logins.
      end: () => {
        connection.client.end();
        first.client.end();
      },
    };
    // An error after the handshake ends the connection: its channels close, and their requests see it.
    const finish = (): void => this.retire(connection);
    first.client.on('error', finish).on('close', finish).on('end', finish);
    // The engine's machine gone (its connection closed), the jump host's connection has no use left.
    void hop?.then(
      (last) =>
        last.client
          .on('error', finish)
          .on('end', finish)
          .on('close', () => {
            finish();
            first.client.end();
          }),
      () => {},
    );
    // A login that failed (here or through the jump host) leaves no connection open.
    connection.ready.catch(() => connection.end());
    this.connection = connection;
    return connection;
  }

  private updateRef(connection: SharedConnection, busy: number): void {
    connection.busy += busy;
    if (connection.busy > 0) connection.socket.ref();
    else connection.socket.unref();
  }

  private endIfUnused(connection: SharedConnection): void {
    if (connection.channels > 0) return;
    this.retire(connection);
    connection.end();
  }

  /** No new request goes to this connection; sockets still waiting for a channel on it fail. */
  private retire(connection: SharedConnection): void {
    connection.finished = true;
    if (this.connection === connection) this.connection = undefined;
    for (const socket of connection.waiting.splice(0)) socket.destroy(new Error('the ssh connection to the engine closed'));
  }
}

/**
 * The socket of one request stream: stands for its ssh channel from the moment a request asks for one, buffers
 * what the request writes until the channel is open, then relays both ways. Half-close is kept (a hijacked exec ends
 * its input and still reads the output). `ref`/`unref` are what Node's agent calls when a request takes the socket
 * or gives it back: they mark the channel busy or idle.
 */
class ChannelSocket extends Duplex {
  private channel: Duplex | undefined;
  private pendingWrite: { chunk: Buffer; callback: (error?: Error | null) => void } | undefined;
  private pendingFinal: ((error?: Error | null) => void) | undefined;
  private busy = true;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    connection: SharedConnection,
    private readonly onClosed: () => void,
    private readonly busyChanged: (delta: number) => void,
  ) {
    super({ allowHalfOpen: true });
    connection.channels++;
    busyChanged(1);
  }

  attach(channel: Duplex): void {
    if (this.destroyed) {
      channel.destroy();
      return;
    }
    this.channel = channel;
    channel.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) channel.pause();
    });
    channel.on('end', () => this.push(null));
    channel.on('error', (error: Error) => this.destroy(error));
    // The socket closes once its reader has seen the end, not before: a busy client reads a short exec's upgrade,
    // output and channel close at once, and the exec's caller gets its stream a few microtasks after this close.
    // Destroyed now, the socket would drop the output (the probe read nothing) and emit 'close' before the caller
    // listens (the probe waited out its timeout).
    channel.on('close', () => {
      if (this.readableEnded) this.destroy();
      else this.once('end', () => this.destroy());
    });
    const write = this.pendingWrite;
    this.pendingWrite = undefined;
    if (write) channel.write(write.chunk, write.callback);
    const final = this.pendingFinal;
    this.pendingFinal = undefined;
    if (final) this._final(final);
  }

  override _read(): void {
    this.channel?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // The stream calls _write once at a time: one pending write is all there can be before the channel opens.
    if (this.channel) this.channel.write(chunk, callback);
    else this.pendingWrite = { chunk, callback };
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.channel) {
      this.pendingFinal = callback;
      return;
    }
    this.channel.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    this.channel?.destroy();
    this.pendingWrite?.callback(error ?? new Error('the channel closed'));
    this.pendingWrite = undefined;
    this.setBusy(false);
    this.onClosed();
    callback(error);
  }

  ref(): this {
    clearTimeout(this.idleTimer);
    this.setBusy(true);
    return this;
  }

  unref(): this {
    this.setBusy(false);
    return this;
  }

  closeWhenIdleFor(ms: number): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.destroy(), ms).unref();
  }

  private setBusy(busy: boolean): void {
    if (this.busy === busy) return;
    this.busy = busy;
    this.busyChanged(busy ? 1 : -1);
  }
}

interface SshLogin {
  readonly client: Client;
  /** Resolves once logged in; rejects with why not (the host key refused, the key not accepted, …). */
  readonly ready: Promise<void>;
}

/** Logs in over `sock` (a TCP socket, or a channel forwarded by a jump host) as `target` says. */
function login(target: Omit<SshTarget, 'identity' | 'next'>, sock: Duplex): SshLogin {
  const client = new (loadSsh2().Client)();
  let refusal: string | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    // ssh2 only says "verification failed": the refusal says why.
    client.once('error', (error) => reject(refusal ? new Error(refusal) : error));
    client.once('close', () => reject(new Error('the ssh connection closed before it was ready')));
  });
  // Nobody may be listening yet (a jump host's promise chain): a refusal is not an unhandled rejection.
  ready.catch(() => {});
  try {
    client.connect({
      sock: sock as Socket,
      username: target.username,
      privateKey: target.privateKey,
      agent: target.agent,
      hostVerifier: (key: Buffer) => {
        refusal = target.hostKeyProblem(key);
        return refusal === undefined;
      },
      readyTimeout: HANDSHAKE_TIMEOUT_MS,
    });
  } catch (error) {
    // A key ssh2 cannot read: no connection then, and no socket left behind.
    sock.destroy();
    throw error;
  }
  return { client, ready };
}

/** sshd's answer to a session past MaxSessions: SSH_OPEN_CONNECT_FAILED ("open failed"). */
function isSessionRefused(error: Error): boolean {
  return (error as Error & { reason?: number }).reason === 2;
}

let ssh2Loaded: typeof ssh2 | undefined;

/** ssh2, loaded at the first ssh connection: most starts never open one, and it costs tens of milliseconds. */
export function loadSsh2(): typeof ssh2 {
  ssh2Loaded ??= createRequire(import.meta.url)('ssh2') as typeof ssh2;
  return ssh2Loaded;
}
