// Claims on warm seats, on the real swarm (the services stand for seats: labelled as ready, no task). Two processes
// that bring up the same attendee at once (`labdeck serve` starting, `labdeck env up` beside it) each claim a seat;
// the attendee must end with one, and the other seat must go back to whoever joins next. A CI run once gave Carol
// both seats and left Bob none. Until the second claim goes back, both seats carry the attendee's label: her sandbox
// is the first claim all the same (its host key is the one labdeck adopts), and so is the address her engine is
// reached at (another CI run wrote the second seat's port beside the first seat's key: "did not present its own host
// key"). The server's follower and `env status` see her first claim only: the second seat's task is not hers (it would
// be taken for her sandbox recreated, her terminals told their state was lost).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL, SANDBOX_NAME_LABEL, SANDBOX_SEAT_LABEL, SEAT_STATE_LABEL } from '../../src/engine/sandbox-spec.ts';
import { claimSeat, listSeats, type Seat, WARM_SEAT_NAME } from '../../src/engine/warm-seats.ts';
import { findSandbox, listSandboxes, sandboxTasks, waitForSandbox, type SandboxPlace } from '../../src/engine/sandboxes.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const classId = `C${Date.now().toString(36).toUpperCase()}`;
const carol = { id: 'a-carol', name: 'Carol' };
const bob = { id: 'a-bob', name: 'Bob' };
let image = '';

const removeServices = async (): Promise<void> => {
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
  await Promise.all(services.map((service) => docker.getService(service.ID ?? '').remove()));
};

/**
 * Two ready seats with no task: a claim only changes labels, so these behave as real seats do. `ports`: each runs a
 * task instead, publishing its port in host mode, as a sandbox's sshd is (nothing listens: only its place is read).
 */
const makeSeats = async (round: number, ports?: readonly [number, number]): Promise<void> => {
  for (const n of [1, 2]) {
    const seat = `seat-r${round}n${n}`;
    const port = ports?.[n - 1];
    await docker.createService({
      Name: `labdeck-claimtest-${classId.toLowerCase()}-${seat}`,
      Labels: {
        [SANDBOX_CLASS_LABEL]: classId,
        [SANDBOX_SEAT_LABEL]: seat,
        [SEAT_STATE_LABEL]: 'ready',
        [SANDBOX_ATTENDEE_LABEL]: seat,
        [SANDBOX_NAME_LABEL]: WARM_SEAT_NAME,
      },
      TaskTemplate: { ContainerSpec: { Image: image, Command: ['sleep', '3600'] } },
      Mode: { Replicated: { Replicas: port === undefined ? 0 : 1 } },
      ...(port === undefined ? {} : { EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 22, PublishedPort: port, PublishMode: 'host' }] } }),
    });
  }
};

before(async () => {
  image = (await ensureBusyboxImage(docker)).name;
});
after(removeServices);

test('two claims for one attendee at once leave them one seat, and the other goes to the next attendee', { timeout: 120_000 }, async () => {
  for (let round = 0; round < 12; round++) {
    await removeServices();
    await makeSeats(round);
    const [carolA, carolB, bobs] = await Promise.all([claimSeat(docker, classId, carol), claimSeat(docker, classId, carol), claimSeat(docker, classId, bob)]);
    const seats = await listSeats(docker, classId);
    const seen = `round ${round}: Carol got ${carolA?.seat} and ${carolB?.seat}, Bob ${bobs?.seat}; seats ${JSON.stringify(seats.map(({ seat, state, attendee }) => ({ seat, state, attendee })))}`;
    assert.ok(carolA && carolB && bobs, seen);
    assert.equal(carolA.seat, carolB.seat, seen);
    assert.notEqual(bobs.seat, carolA.seat, seen);
    const holders = (attendee: string): Seat[] => seats.filter((seat) => seat.state === 'claimed' && seat.attendee === attendee);
    assert.deepEqual(
      holders(carol.id).map((seat) => seat.seat),
      [carolA.seat],
      seen,
    );
    assert.deepEqual(
      holders(bob.id).map((seat) => seat.seat),
      [bobs.seat],
      seen,
    );
  }
});

test('a second claim whose claimer stopped goes back to the pool at the next claim, as the seat it was', { timeout: 60_000 }, async () => {
  await removeServices();
  await makeSeats(99);
  // Both seats claimed for Carol, as two processes would leave them if one stopped before looking again.
  const [first, second] = await listSeats(docker, classId);
  for (const seat of [first!, second!]) {
    const service = docker.getService(seat.service);
    const current = (await service.inspect()) as { Version: { Index: number }; Spec: { Labels: Record<string, string> } };
    await service.update({
      _query: { version: current.Version.Index },
      _body: { ...current.Spec, Labels: { ...current.Spec.Labels, [SEAT_STATE_LABEL]: 'claimed', [SANDBOX_ATTENDEE_LABEL]: carol.id, [SANDBOX_NAME_LABEL]: carol.name } },
    });
  }
  const given = await claimSeat(docker, classId, bob);
  assert.equal(given?.seat, second!.seat, 'Bob gets the seat claimed second');
  const after = await listSeats(docker, classId);
  assert.deepEqual(
    after.map(({ seat, state, attendee }) => ({ seat, state, attendee })),
    [
      { seat: first!.seat, state: 'claimed', attendee: carol.id },
      { seat: second!.seat, state: 'claimed', attendee: bob.id },
    ],
  );
  const labels = (await docker.getService(second!.service).inspect()) as { Spec: { Labels: Record<string, string> } };
  assert.equal(labels.Spec.Labels[SANDBOX_NAME_LABEL], bob.name);
});

/**
 * Claims both seats for Carol, as two processes' claims land, neither given back yet: the seat the engine lists first
 * is claimed second, so that taking the first listed service for her is caught. Resolves to [first claim, second].
 */
const claimBothForCarol = async (): Promise<Seat[]> => {
  const listed = (await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } })).map((service) => service.Spec?.Name);
  const seats = await listSeats(docker, classId);
  const claimed = [...seats].sort((a, b) => listed.indexOf(b.service) - listed.indexOf(a.service));
  for (const seat of claimed) {
    const service = docker.getService(seat.service);
    const current = (await service.inspect()) as { Version: { Index: number }; Spec: { Labels: Record<string, string> } };
    await service.update({
      _query: { version: current.Version.Index },
      _body: { ...current.Spec, Labels: { ...current.Spec.Labels, [SEAT_STATE_LABEL]: 'claimed', [SANDBOX_ATTENDEE_LABEL]: carol.id, [SANDBOX_NAME_LABEL]: carol.name } },
    });
  }
  return claimed;
};

test("while a second claim is not given back yet, the attendee's sandbox is their first claim", { timeout: 60_000 }, async () => {
  await removeServices();
  await makeSeats(10);
  const [first, second] = await claimBothForCarol();
  const found = await findSandbox(docker, classId, carol.id);
  assert.equal(found?.Spec?.Name, first!.service, `claimed ${first!.seat} then ${second!.seat}; found ${found?.Spec?.Name}`);
});

test("while a second claim is not given back yet, the attendee's engine is reached where their first claim runs", { timeout: 120_000 }, async () => {
  await removeServices();
  // Ports far from the sandboxes' (2200 up).
  const base = 39_000 + Math.floor(Math.random() * 500) * 2;
  await makeSeats(20, [base, base + 1]);
  const [first, second] = await claimBothForCarol();
  const port = (seat: Seat): number => base + (seat.seat.endsWith('n1') ? 0 : 1);
  const seen: number[] = [];
  const place = await waitForSandbox(docker, classId, carol.id, {
    timeoutMs: 60_000,
    log: () => {},
    answers: async (where: SandboxPlace) => {
      seen.push(where.port);
      return true;
    },
  });
  assert.equal(place.port, port(first!), `claimed ${first!.seat} (port ${port(first!)}) then ${second!.seat} (port ${port(second!)}); reached at ${seen.join(', ')}`);
});

test("while a second claim is not given back yet, the follower and env status see the attendee's first claim only", { timeout: 120_000 }, async () => {
  await removeServices();
  const base = 39_000 + Math.floor(Math.random() * 500) * 2;
  await makeSeats(30, [base, base + 1]);
  const [first, second] = await claimBothForCarol();
  // Both seats' tasks running, as a class's are.
  const tasksOf = async (seat: Seat) => (await docker.listTasks({ filters: { service: [seat.service] } })) as { ID: string; Status?: { State?: string } }[];
  const running = Date.now() + 60_000;
  for (const seat of [first!, second!]) {
    while (!(await tasksOf(seat)).some((task) => task.Status?.State === 'running')) {
      assert.ok(Date.now() < running, `${seat.seat}'s task never ran: ${JSON.stringify(await tasksOf(seat))}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const firstTasks = (await tasksOf(first!)).map((task) => task.ID);
  const followed = (await sandboxTasks(docker, classId)).filter((sandbox) => sandbox.attendee === carol.id);
  assert.equal(followed.length, 1, `claimed ${first!.seat} then ${second!.seat}; followed ${JSON.stringify(followed)}`);
  assert.ok(firstTasks.includes(followed[0]!.task), `followed ${followed[0]!.task}, ${first!.seat}'s tasks are ${firstTasks.join(', ')}`);
  const listed = (await listSandboxes(docker, classId)).filter((sandbox) => sandbox.attendee === carol.id);
  assert.deepEqual(
    listed.map((sandbox) => sandbox.service),
    [first!.service],
  );
});
