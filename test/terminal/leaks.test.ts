// 200 terminals opened and closed (destroyed while running, exited on their own, bash with shell integration): the
// server's PTY file descriptors and child processes (zombies included) return to the baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { TerminalClient, testEnvironment, waitUntil } from './terminal-client.ts';
import { openPtyDescriptors, parentOf } from '../support/processes.ts';

/** Children of this process, zombies included (a zombie still has its /proc/<pid>). */
function childProcesses(): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
      } catch {
        return false;
      }
    });
}

test('200 open/close cycles leave no PTY descriptor, and no child process behind', async (t) => {
  const manager = new TerminalManager({
    commands: { quick: 'sh -c "exit 0"', shell: 'bash' },
    defaultCommand: 'sleep 60',
    env: testEnvironment(),
    limits: { graceMs: 0 },
  });
  t.after(() => manager.dispose());
  const baseline = { fds: openPtyDescriptors(), children: childProcesses().length };
  const pids: number[] = [];

  for (let batch = 0; batch < 10; batch++) {
    const closings: Promise<void>[] = [];
    const batchPids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const attendee = `a${batch}x${i}`;
      // 8 terminals destroyed while running (grace 0 after the viewer leaves), 10 exiting by themselves, 2 bash.
      const terminal = i < 8 ? 'sleeper' : i < 18 ? 'quick' : 'shell';
      const client = new TerminalClient();
      const connection = manager.attach({ attendee, terminal, role: 'owner', cols: 80, rows: 24 }, client);
      const session = manager.get(attendee, terminal)!;
      pids.push(session.pid);
      batchPids.add(session.pid);
      if (terminal === 'quick') {
        closings.push(
          waitUntil(
            () => client.closedReason !== undefined,
            5000,
            () => 'exit',
          ).finally(() => client.dispose()),
        );
      } else {
        connection.detach();
        client.dispose();
        closings.push(
          waitUntil(
            () => manager.get(attendee, terminal) === undefined,
            5000,
            () => 'grace expiry',
          ),
        );
      }
    }
    // Every open started its own process. Checked per batch: the kernel may hand a pid of an earlier batch out
    // again (pid_max is 32768 here), but not one of 20 processes started together.
    assert.equal(batchPids.size, 20, `batch ${batch}: ${[...batchPids].join(' ')}`);
    await Promise.all(closings);
  }
  assert.equal(pids.length, 200);
  await waitUntil(
    () => openPtyDescriptors() === baseline.fds && childProcesses().length === baseline.children,
    5000,
    () => `baseline ${JSON.stringify(baseline)}, now ${JSON.stringify({ fds: openPtyDescriptors(), children: childProcesses().length })}`,
  );
  // Gone, or the pid already belongs to a process that is not ours.
  for (const pid of pids) assert.notEqual(parentOf(pid), process.pid, `process ${pid} is gone`);
});
