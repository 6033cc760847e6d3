// Two processes claiming a warm seat for the same attendee at once, on the real engine, in the order a CI run of
// warm-seats.test.ts once had them: the server's claim (seat M) is recorded first and it adopts M's host key; the other
// process's claim (seat L) lands a moment later and goes back to the pool once that process looks again. Until then
// L carries the attendee's label too, and the server, waiting for "the attendee's sandbox", must wait for M, where its
// key is: it once waited for L instead, writing L's address beside M's key, and the attendee's engine (and terminal)
// could not be reached: "the sandbox at ssh://…:2201 did not present its own host key". L is the seat the engine lists
// first, so that taking the first one listed is caught; the other process's claim is made by hand, when the server
// says its own claim is done, and the server's next looks at the swarm's services wait until it landed (the engine
// is the real one: only the order of these requests is forced).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { connectEngineAt } from '../../src/engine/engine-address.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage } from '../../src/engine/sandbox-image.ts';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL, SANDBOX_NAME_LABEL, SEAT_STATE_LABEL } from '../../src/engine/sandbox-spec.ts';
import { listSeats, type Seat, WARM_SEAT_NAME } from '../../src/engine/warm-seats.ts';
import { createSwarmProvider } from '../../src/environments/swarm-provider.ts';
import type { SwarmEnvironmentConfig } from '../../src/config/environment.ts';
import type { AttendeeRef } from '../../src/environments/provider.ts';
import { removeClassLeftovers } from '../support/class-sandboxes.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const classId = `R${Date.now().toString(36).toUpperCase()}`;
const root = mkdtempSync(join(tmpdir(), 'labdeck-seat-race-'));
const carol: AttendeeRef = { id: 'a-carol3', name: 'Carol' };
const config: SwarmEnvironmentConfig = {
  provider: 'swarm',
  memoryBytes: 768 * 1024 ** 2,
  nanoCpus: 1e9,
  images: [],
  warm: 2,
  location: { file: 'workshop.yml', line: 1 },
};

before(
  async () => {
    await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
    await ensureSandboxImage(docker, {});
  },
  { timeout: 900_000 },
);

after(async () => {
  await removeClassLeftovers(docker, classId);
  rmSync(root, { recursive: true, force: true });
});

/** Changes a seat's labels by compare-and-swap, as another labdeck process does (engine/warm-seats.ts). */
async function relabel(seat: Seat, labels: Record<string, string>): Promise<void> {
  const service = docker.getService(seat.service);
  const current = (await service.inspect()) as { Version: { Index: number }; Spec: { Labels: Record<string, string> } };
  await service.update({ _query: { version: current.Version.Index }, _body: { ...current.Spec, Labels: { ...current.Spec.Labels, ...labels } } });
}

test("a second claim for the attendee, not given back yet, does not become the address of the server's claim", { timeout: 300_000 }, async () => {
  const lines: string[] = [];
  let claimedBySeen: (seat: string) => void = () => {};
  const claimedByServer = new Promise<string>((resolve) => {
    claimedBySeen = resolve;
  });
  /** The other process's claim, made when the server's is done. */
  let claimLate: () => Promise<unknown> = async () => {};
  /** Settles once the other process's claim landed: the server lists the services only after that. */
  let otherClaim: Promise<unknown> = Promise.resolve();
  const ordered = new Proxy(docker, {
    get(target, property, receiver) {
      if (property !== 'listServices') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<typeof target.listServices>) => {
        await otherClaim;
        return target.listServices(...args);
      };
    },
  });
  const server = createSwarmProvider({
    docker: ordered,
    classId,
    root,
    config,
    startTimeoutMs: 30_000,
    log: (line) => {
      lines.push(line);
      const claim = line.match(/^environment a-carol3: warm seat (seat-\S+) claimed$/);
      if (!claim) return;
      otherClaim = claimLate();
      claimedBySeen(claim[1]!);
    },
  });
  const filled = await server.seats!.fill(2);
  assert.equal(filled.ready, 2, `${JSON.stringify(filled)}\n${lines.join('\n')}`);
  const listed = (await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } })).map((service) => service.Spec?.Name);
  const seats = await listSeats(docker, classId);
  const [late, mine] = [...seats].sort((a, b) => listed.indexOf(a.service) - listed.indexOf(b.service)) as [Seat, Seat];
  // The seat listed first is out of the server's reach (warming) until the other process claims it.
  await relabel(late, { [SEAT_STATE_LABEL]: 'warming' });

  // The other process's claim lands once the server's is done: the server's was recorded first, so this one is the second.
  claimLate = () => relabel(late, { [SEAT_STATE_LABEL]: 'claimed', [SANDBOX_ATTENDEE_LABEL]: carol.id, [SANDBOX_NAME_LABEL]: carol.name });
  const up = server.up(carol);
  assert.equal(await claimedByServer, mine.seat);
  await otherClaim;
  // That process looks again a moment later, and gives its claim back.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await relabel(late, { [SEAT_STATE_LABEL]: 'ready', [SANDBOX_ATTENDEE_LABEL]: late.seat, [SANDBOX_NAME_LABEL]: WARM_SEAT_NAME });
  const outcome = await up.then(
    () => 'ready',
    (error: Error) => error.message,
  );

  const key = readFileSync(join(root, carol.id, 'ssh', 'host_ed25519_key.pub'), 'utf8').trim();
  const address = readFileSync(join(root, carol.id, 'engine-host'), 'utf8').trim();
  const seen = `up: ${outcome}; Carol's key: ${key.split(' ').pop()}; her engine at ${address}; seats ${JSON.stringify(await listSeats(docker, classId))}\n${lines.join('\n')}`;
  // Her engine (and her terminal) is reached where her key is: the seat the server claimed, and entered.
  const containers = await connectEngineAt(server.engineOf(carol.id)!)
    .listContainers({ all: true })
    .catch((error: Error) => error.message);
  assert.deepEqual(containers, [], seen);
  assert.match(key, new RegExp(`${mine.service}$`), seen);
  assert.equal(outcome, 'ready', seen);
});
