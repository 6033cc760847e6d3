// A unix socket relaying to the real engine that can stall: its connections stay open and carry nothing either way
// (what an ssh hop to a node does when the node stops answering mid-request), new ones are accepted and held too;
// resumed, every connection carries bytes again. For the engine watch's deadlines (test/engine/snapshot-deadline.test.ts).
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** The real engine's socket (DOCKER_HOST when it is a unix socket, else Docker's default). */
export function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? new URL(host).pathname : '/var/run/docker.sock';
}

export interface StallingRelay {
  /** Connections accepted so far. */
  readonly connections: number;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function stallingRelay(path: string): Promise<StallingRelay> {
  const pairs = new Set<{ client: Socket; engine: Socket }>();
  let stalled = false;
  let connections = 0;
  const flow = (pair: { client: Socket; engine: Socket }): void => {
    pair.client.pipe(pair.engine, { end: false });
    pair.engine.pipe(pair.client, { end: false });
  };
  const hold = (pair: { client: Socket; engine: Socket }): void => {
    pair.client.unpipe(pair.engine);
    pair.engine.unpipe(pair.client);
    pair.client.pause();
    pair.engine.pause();
  };
  rmSync(path, { force: true });
  const server: Server = createServer((client) => {
    connections++;
    const engine = connect(engineSocket());
    const pair = { client, engine };
    pairs.add(pair);
    // Either side gone (the client gave up, the engine closed): both go.
    for (const socket of [client, engine]) {
      socket.on('close', () => {
        pairs.delete(pair);
        client.destroy();
        engine.destroy();
      });
      socket.on('error', () => socket.destroy());
      socket.on('end', () => socket.destroy());
    }
    if (stalled) hold(pair);
    else flow(pair);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    get connections() {
      return connections;
    },
    stall() {
      stalled = true;
      for (const pair of pairs) hold(pair);
    },
    resume() {
      stalled = false;
      for (const pair of pairs) flow(pair);
    },
    close: () =>
      new Promise((resolve) => {
        for (const { client, engine } of pairs) {
          client.destroy();
          engine.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
