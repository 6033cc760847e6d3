// Engines over ssh benchmark: how an attendee's own engine (a swarm sandbox, reached as `ssh://`) answers labdeck's
// transport, against docker-modem's own ssh transport (what dockerode gives for `protocol: 'ssh'`), same sandbox,
// same run.
//
// - labdeck: connectEngineAt on the sandbox's address: one shared ssh connection, dial-stdio channels reused.
// - docker-modem: `new Docker({ protocol: 'ssh', ... })` with the same key: an ssh connection per request.
// - Figures: a ping (median of 30, one at a time), the checks' whole snapshot read (the swarm's info, then seven lists
//   at once; median of 10) and the ssh logins it costs, from the sandbox kernel's count of accepted connections
//   (PassiveOpens; sshd is the only listener there), and thirty requests at once (how many succeed).
import Docker from 'dockerode';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../src/engine/docker.ts';
import { connectEngineAt, currentHost } from '../src/engine/engine-address.ts';
import { ensureSwarm } from '../src/engine/services.ts';
import { readEverything } from '../src/engine/state-reads.ts';
import { createSwarmProvider } from '../src/environments/swarm-provider.ts';
import { acceptedConnections } from '../test/support/sandbox-logins.ts';

const pings = 30;
const reads = 10;
const burst = 30;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Figures {
  pingMs: number;
  readMs: number;
  burstOk: number;
  burstMs: number;
  loginsPerRead: number;
  burstError?: string;
}

export async function benchSshEngines(): Promise<string> {
  const docker = connectEngine({});
  const root = mkdtempSync(join(tmpdir(), 'labdeck-bench-ssh-'));
  const classId = `b${Date.now().toString(36)}`;
  const attendee = { id: 'a-bench', name: 'Bench' };
  const provider = createSwarmProvider({
    docker,
    classId,
    root,
    log: () => {},
    config: { provider: 'swarm', memoryBytes: 768 * 1024 ** 2, nanoCpus: 1e9, images: [], location: { file: 'bench', line: 1 } },
  });
  try {
    await provider.up(attendee);
    const address = provider.engineOf(attendee.id)!;
    // A swarm inside, as in a class: the read is then the checks' whole snapshot (info and seven lists).
    await ensureSwarm(connectEngineAt(address), 'org.labdeck.bench');
    const url = new URL(currentHost(address)!);
    const accepted = () => acceptedConnections(docker, classId, attendee.id);
    const measure = async (engine: Docker): Promise<Figures> => {
      await engine.ping();
      const pingTimes: number[] = [];
      for (let i = 0; i < pings; i++) {
        const started = performance.now();
        await engine.ping();
        pingTimes.push(performance.now() - started);
      }
      const before = await accepted();
      const readTimes: number[] = [];
      for (let i = 0; i < reads; i++) {
        const started = performance.now();
        await readEverything(engine, (request) => request);
        readTimes.push(performance.now() - started);
      }
      const loginsPerRead = ((await accepted()) - before) / reads;
      const started = performance.now();
      const outcomes = await Promise.allSettled(Array.from({ length: burst }, () => engine.version()));
      const burstMs = performance.now() - started;
      const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      return {
        pingMs: median(pingTimes),
        readMs: median(readTimes),
        burstOk: outcomes.filter((outcome) => outcome.status === 'fulfilled').length,
        burstMs,
        loginsPerRead,
        burstError: failure ? String((failure.reason as Error).message).split('\n')[0] : undefined,
      };
    };
    const labdeck = await measure(connectEngineAt(address));
    const modem = await measure(
      new Docker({
        protocol: 'ssh',
        host: url.hostname,
        port: Number(url.port),
        username: 'root',
        sshOptions: { privateKey: readFileSync(address.ssh!.identity) },
      } as Docker.DockerOptions),
    );
    const row = (name: string, f: Figures) =>
      `| ${name} | ${f.pingMs.toFixed(1)} ms | ${f.readMs.toFixed(0)} ms | ${f.loginsPerRead.toFixed(1)} | ${f.burstOk}/${burst} in ${f.burstMs.toFixed(0)} ms |`;
    return [
      `An attendee's engine in a \`swarm\` sandbox (1 CPU, 768 MiB), reached as \`${url.protocol}//root@${url.host}\`. Peer: docker-modem's`,
      "own ssh transport (dockerode `protocol: 'ssh'`), same key, same sandbox, same run. A read = the checks' whole snapshot",
      "of the sandbox's swarm (info, then seven lists at once); logins counted by the sandbox kernel (TCP PassiveOpens).",
      '',
      `| transport | ping, median of ${pings} | read, median of ${reads} | ssh logins per read | ${burst} requests at once |`,
      '|---|---|---|---|---|',
      row('labdeck (one connection, channels reused)', labdeck),
      row('docker-modem ssh (a connection per request)', modem),
      ...(modem.burstError ? ['', `docker-modem's first failure in the burst: \`${modem.burstError}\``] : []),
      ...(labdeck.burstError ? ['', `labdeck's first failure in the burst: \`${labdeck.burstError}\``] : []),
    ].join('\n');
  } finally {
    await provider.down(attendee).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}
