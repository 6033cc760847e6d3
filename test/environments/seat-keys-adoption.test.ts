// Two labdeck processes adopting the same warm seat's keys at once (`serve` and `env up`, or two servers after a
// restart: each finds the claimed seat by its labels and moves its keys into the attendee's folder). Every order of
// their file-system steps is tried: this process adopts, and just before each of its steps (each file-system call,
// intercepted on the real `node:fs`; the files are real) it waits while another process adopts the same seat whole.
// Whatever the order, neither fails, the attendee ends with the seat's keys, nothing is left behind, and once the
// attendee's keys are in place they never vanish, not even for a moment: a labdeck reading them then takes the sandbox
// for an impostor and removes it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { adoptSeatKeys } from '../../src/environments/warm-pool.ts';

/**
 * The other process: adopts seat-1's keys for a-alice under the root named by each `go-N` file of `mailbox`, then
 * writes `done-N` (empty, or what failed). Waited for synchronously, so that this process's adoption stands still.
 */
const mailbox = mkdtempSync(join(tmpdir(), 'labdeck-seat-adoption-mailbox-'));
let other: ChildProcess | undefined;
let rounds = 0;
const realExists = fs.existsSync;
const realRead = fs.readFileSync;
const realWrite = fs.writeFileSync;

before(async () => {
  const warmPool = resolve(import.meta.dirname, '../../src/environments/warm-pool.ts');
  const script = `
    import { existsSync, readFileSync, writeFileSync } from 'node:fs';
    import { join } from 'node:path';
    import { adoptSeatKeys } from ${JSON.stringify(warmPool)};
    const mailbox = process.argv[1];
    writeFileSync(join(mailbox, 'ready'), String(process.pid));
    for (let round = 1; ; round++) {
      while (!existsSync(join(mailbox, 'go-' + round))) await new Promise((resolve) => setTimeout(resolve, 1));
      let outcome = '';
      try {
        adoptSeatKeys(readFileSync(join(mailbox, 'go-' + round), 'utf8'), 'seat-1', 'a-alice');
      } catch (error) {
        outcome = error.message;
      }
      writeFileSync(join(mailbox, 'done-' + round), outcome);
    }`;
  other = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, mailbox], { stdio: ['ignore', 'inherit', 'inherit'] });
  const deadline = Date.now() + 20_000;
  while (!existsSync(join(mailbox, 'ready'))) {
    if (Date.now() > deadline || other.exitCode !== null) throw new Error(`the other process did not start (exit ${other.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});

after(() => {
  other?.kill();
  rmSync(mailbox, { recursive: true, force: true });
});

/** The other process adopts the seat under `root`, whole; undefined, or what failed. Blocks this process meanwhile. */
function adoptInTheOtherProcess(root: string): string | undefined {
  const round = ++rounds;
  realWrite(join(mailbox, `go-${round}`), root);
  const done = join(mailbox, `done-${round}`);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 10_000;
  while (!realExists(done)) {
    if (Date.now() > deadline) return 'the other process did not answer within 10 s';
    Atomics.wait(pause, 0, 0, 2);
  }
  return String(realRead(done, 'utf8')) || undefined;
}

/** The file-system calls an adoption could interleave at. */
const steps = ['existsSync', 'lstatSync', 'statSync', 'mkdirSync', 'readdirSync', 'renameSync', 'rmSync', 'rmdirSync', 'unlinkSync'] as const;
type Step = (typeof steps)[number];

/** A seat's folder as its preparation leaves it (cluster-seats.test.ts): node1's host key, the cluster's keys. */
function seatFolder(root: string, seat: string): void {
  for (const [file, content] of [
    ['ssh/host_ed25519_key', 'node1 host key'],
    ['cluster/cluster_ed25519', 'cluster key'],
    ['node2/enter', 'the seat enters node2'],
  ] as const) {
    mkdirSync(join(root, seat, file, '..'), { recursive: true });
    writeFileSync(join(root, seat, file), content);
  }
}

const read = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

interface Interleaving {
  /** This process's file-system calls. */
  readonly calls: number;
  readonly problems: string[];
}

/**
 * Adopts seat-1's keys for a-alice; just before its `at`-th file-system call, the other process adopts the same seat
 * whole. Checked at each call: once the attendee holds the seat's keys, they stay.
 */
function adoptInterleaved(root: string, at: number): Interleaving {
  const original = new Map<Step, (...args: unknown[]) => unknown>();
  const fsObject = fs as unknown as Record<Step, (...args: unknown[]) => unknown>;
  const problems: string[] = [];
  let calls = 0;
  /** Whether the other process had its turn. */
  let second = false;
  let adopted = false;
  const hostKey = join(root, 'a-alice', 'ssh', 'host_ed25519_key');
  const clusterKey = join(root, 'a-alice', 'cluster', 'cluster_ed25519');
  const keysInPlace = (): boolean => {
    const exists = original.get('existsSync') as (path: string) => boolean;
    return exists(hostKey) && exists(clusterKey) && readFileSync(hostKey, 'utf8') === 'node1 host key' && readFileSync(clusterKey, 'utf8') === 'cluster key';
  };
  const check = (where: string): void => {
    const inPlace = keysInPlace();
    if (adopted && !inPlace) problems.push(`the attendee's keys vanished (${where})`);
    adopted ||= inPlace;
  };
  for (const step of steps) {
    const real = fsObject[step];
    original.set(step, real);
    fsObject[step] = (...args: unknown[]) => {
      calls++;
      if (!second && calls === at) {
        second = true;
        const failed = adoptInTheOtherProcess(root);
        if (failed) problems.push(`the other process's adoption failed: ${failed}`);
      }
      check(`before this process's ${step} ${String(args[0]).slice(root.length)}${second ? ', the other process done' : ''}`);
      return real.apply(fs, args);
    };
  }
  syncBuiltinESMExports();
  try {
    adoptSeatKeys(root, 'seat-1', 'a-alice');
  } catch (error) {
    problems.push(`this process's adoption failed: ${(error as Error).message}`);
  } finally {
    for (const [step, real] of original) fsObject[step] = real;
    syncBuiltinESMExports();
  }
  check('after both');
  return { calls, problems };
}

for (const before of ['no folder yet', 'keys of a former sandbox'] as const) {
  test(`two adoptions of one seat at once, in every order (the attendee had ${before}): the keys move once and never vanish`, { timeout: 30_000 }, () => {
    const root = mkdtempSync(join(tmpdir(), 'labdeck-seat-adoption-'));
    try {
      const prepare = (): void => {
        rmSync(root, { recursive: true, force: true });
        mkdirSync(root);
        seatFolder(root, 'seat-1');
        if (before === 'keys of a former sandbox') {
          mkdirSync(join(root, 'a-alice', 'ssh'), { recursive: true });
          writeFileSync(join(root, 'a-alice', 'ssh', 'host_ed25519_key'), 'former host key');
          mkdirSync(join(root, 'a-alice', 'cluster'));
          writeFileSync(join(root, 'a-alice', 'cluster', 'cluster_ed25519'), 'former cluster key');
        }
      };
      prepare();
      const alone = adoptInterleaved(root, Number.POSITIVE_INFINITY);
      assert.deepEqual(alone.problems, []);
      assert.ok(alone.calls > 0);
      for (let at = 1; at <= alone.calls; at++) {
        prepare();
        const { problems } = adoptInterleaved(root, at);
        const seen = `the other process's adoption before call ${at} of ${alone.calls}`;
        assert.deepEqual(problems, [], seen);
        assert.equal(read(join(root, 'a-alice', 'ssh', 'host_ed25519_key')), 'node1 host key', seen);
        assert.equal(read(join(root, 'a-alice', 'cluster', 'cluster_ed25519')), 'cluster key', seen);
        assert.deepEqual(readdirSync(join(root, 'a-alice')).sort(), ['cluster', 'ssh'], `${seen}: nothing else in the attendee's folder`);
        assert.equal(existsSync(join(root, 'seat-1')), false, `${seen}: the seat's folder is gone`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test("a process stopped between taking the seat's keys and putting them in place: the next adoption finishes it", { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-seat-adoption-'));
  try {
    // A process that is gone: its pid names what it left.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    seatFolder(root, 'seat-1');
    mkdirSync(join(root, 'a-alice', 'ssh'), { recursive: true });
    writeFileSync(join(root, 'a-alice', 'ssh', 'host_ed25519_key'), 'former host key');
    fs.renameSync(join(root, 'seat-1', 'cluster'), join(root, 'a-alice', `.cluster.adopting-${gone.pid}-0badcafe`));
    fs.renameSync(join(root, 'a-alice', 'ssh'), join(root, 'a-alice', `.ssh.former-${gone.pid}-0badcafe`));
    fs.renameSync(join(root, 'seat-1', 'ssh'), join(root, 'a-alice', `.ssh.adopting-${gone.pid}-0badcafe`));
    // A running process's (the other one of this file) is left alone: it is still adopting.
    mkdirSync(join(root, 'a-alice', `.ssh.adopting-${other?.pid}-0badcafe`));
    adoptSeatKeys(root, 'seat-1', 'a-alice');
    assert.equal(read(join(root, 'a-alice', 'ssh', 'host_ed25519_key')), 'node1 host key');
    assert.equal(read(join(root, 'a-alice', 'cluster', 'cluster_ed25519')), 'cluster key');
    assert.deepEqual(readdirSync(join(root, 'a-alice')).sort(), [`.ssh.adopting-${other?.pid}-0badcafe`, 'cluster', 'ssh']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
