// Claims on warm seats, on the real swarm (the services stand for seats: labelled as ready, no task). Two processes
// that bring up the same attendee at once (`labdeck serve` starting, `labdeck env up` beside it) each claim a seat;
// the attendee must end with one, and the other seat must go back to whoever joins next. A CI run once gave Carol
// both seats and left Bob none.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL, SANDBOX_NAME_LABEL, SANDBOX_SEAT_LABEL, SEAT_STATE_LABEL } from '../../src/engine/sandbox-spec.ts';
import { claimSeat, listSeats, type Seat, WARM_SEAT_NAME } from '../../src/engine/warm-seats.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const classId = `C${Date.now().toString(36).toUpperCase()}`;
const carol = { id: 'a-carol', name: 'Carol' };
const bob = { id: 'a-bob', name: 'Bob' };
let image = '';

const removeServices = async (): Promise<void> => {
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
  await Promise.all(services.map((service) => docker.getService(service.ID ?? '').remove()));
};

/** Two ready seats with no task: a claim only changes labels, so these behave as real seats do. */
const makeSeats = async (round: number): Promise<void> => {
  for (const n of [1, 2]) {
    const seat = `seat-r${round}n${n}`;
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
      Mode: { Replicated: { Replicas: 0 } },
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
