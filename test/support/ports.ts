// A port a test can give up and take again (a server restarted on the same port after a SIGKILL). A port from
// `listen(0)` comes from the ephemeral range, where any process on the machine (another test's server, an outgoing
// connection) may be handed it while it is free; a port below that range is only ever taken by name.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A free port on 127.0.0.1 between 10000 and the ephemeral range, picked at random (other files pick too). */
export async function reusablePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${low} and ${high} after 50 tries`);
}
