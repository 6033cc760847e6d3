// The ssh transport's streams against the real engine, with the timing of a loaded machine made certain. Under load
// (CI, a class's server) the client's event loop runs late, so what dial-stdio relayed of a short exec probe (the
// upgrade answer, the output, the channel's end) waits in the kernel and is read at once. Here an in-process ssh
// server stands in for sshd + `docker system dial-stdio` (it relays to the real engine's socket) and delivers a
// hijacked stream that way: whole, together with the channel's end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { connectEngine } from '../../src/engine/docker.ts';
import { connectEngineAt } from '../../src/engine/engine-address.ts';
import { execInContainer } from '../../src/engine/exec.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const engineSocket = process.env.DOCKER_HOST?.startsWith('unix://') ? new URL(process.env.DOCKER_HOST).pathname : '/var/run/docker.sock';
const folder = mkdtempSync(join(tmpdir(), 'labdeck-ssh-dial-'));
const containerName = `lt-sshdial-${Math.random().toString(36).slice(2, 8)}`;

const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
const clientKey = ssh2.utils.generateKeyPairSync('ed25519');
const logins = new Set<ssh2.Connection>();
const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
  logins.add(client);
  client.on('close', () => logins.delete(client));
  client.on('error', () => {});
  client.on('authentication', (context) => (context.method === 'publickey' ? context.accept() : context.reject(['publickey'])));
  client.on('session', (acceptSession) => {
    acceptSession().on('exec', (acceptExec, reject, info) => {
      if (info.command !== 'docker system dial-stdio') return reject();
      const channel = acceptExec();
      const engine = connect(engineSocket);
      channel.pipe(engine);
      // Once the engine upgrades the connection (an exec probe's hijacked stream), all it sends is held until it
      // closes the stream: a client that reads late finds the upgrade, the output and the channel's end at once.
      let held: Buffer[] | undefined;
      engine.on('data', (chunk: Buffer) => {
        if (!held && chunk.toString('latin1').startsWith('HTTP/1.1 101')) held = [];
        if (held) held.push(chunk);
        else channel.write(chunk);
      });
      engine.on('end', () => {
        if (held) channel.write(Buffer.concat(held));
        channel.exit(0);
        channel.eof();
        channel.close();
      });
      engine.on('error', () => channel.close());
    });
  });
});

let host = '';
let containerId = '';
before(
  async () => {
    await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
    const container = await docker.createContainer({ name: containerName, Image: 'labdeck/busybox:latest', Cmd: ['sleep', '600'], HostConfig: { AutoRemove: true } });
    await container.start();
    containerId = container.id;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `ssh://root@127.0.0.1:${(server.address() as { port: number }).port}`;
    writeFileSync(join(folder, 'id'), clientKey.private, { mode: 0o600 });
    writeFileSync(join(folder, 'host.pub'), `${hostKey.public}\n`);
  },
  { timeout: 60_000 },
);

after(async () => {
  await docker
    .getContainer(containerName)
    .remove({ force: true })
    .catch(() => {});
  server.close();
  for (const login of logins) login.end();
  rmSync(folder, { recursive: true, force: true });
});

test('an exec probe over ssh reads its whole output when the upgrade, the output and the channel end arrive at once', { timeout: 60_000 }, async () => {
  const engine = connectEngineAt({ host, ssh: { identity: join(folder, 'id'), hostKey: join(folder, 'host.pub') } });
  for (let round = 0; round < 2; round++) {
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => execInContainer(engine, containerId, ['sh', '-c', `echo probe-${i}; exit ${i}`])));
    assert.deepEqual(
      outcomes.map((outcome) => [outcome.exitCode, outcome.output]),
      outcomes.map((_, i) => [i, `probe-${i}\n`]),
      `round ${round}`,
    );
  }
});

test('an exec probe over ssh with no output, read at once with its channel end, returns when the command ends', { timeout: 60_000 }, async () => {
  const engine = connectEngineAt({ host, ssh: { identity: join(folder, 'id'), hostKey: join(folder, 'host.pub') } });
  const started = Date.now();
  const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => execInContainer(engine, containerId, ['sh', '-c', `exit ${i}`], { timeoutMs: 20_000 })));
  const seconds = (Date.now() - started) / 1000;
  assert.deepEqual(
    outcomes.map((outcome) => [outcome.exitCode, outcome.output]),
    outcomes.map((_, i) => [i, '']),
  );
  // A probe whose stream closed before its reader had it waited out its whole timeout (20 s here).
  assert.ok(seconds < 10, `the probes took ${seconds.toFixed(1)} s`);
});
