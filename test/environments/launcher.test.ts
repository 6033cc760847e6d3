// The waiting script terminals run to enter an attendee's environment, run for real with sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launcherTemplate, reportFailure, reportProgress, reportRecreated, startPreparing, writeEnterCommand } from '../../src/environments/launcher.ts';
import { substituteCommand } from '../../src/terminal/command-template.ts';

function run(argv: readonly string[]): { done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(argv[0]!, argv.slice(1));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, output }))) };
}

test('a terminal waits, shows the progress, then runs its command through the enter script', async () => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-launcher-'));
  try {
    startPreparing(root, 'a-1');
    const argv = substituteCommand(launcherTemplate(root, ['bash', '-l']), { attendee: 'a-1', terminal: 'shell' });
    const terminal = run(argv);
    reportProgress(root, 'a-1', 'building the image');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    reportProgress(root, 'a-1', 'starting\nits engine');
    writeEnterCommand(root, 'a-1', ['echo', "it's inside:"]);
    const { code, output } = await terminal.done;
    assert.equal(code, 0);
    assert.match(output, /^Preparing your environment\.\.\./);
    assert.match(output, /building the image\r\n/);
    assert.match(output, /starting its engine\r\n/);
    assert.match(output, /it's inside: bash -l\n$/);
    assert.equal(output.match(/building the image/g)?.length, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a terminal tells when the environment could not be prepared, and exits', async () => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-launcher-'));
  try {
    startPreparing(root, 'a-2');
    reportFailure(root, 'a-2', 'no suitable node\nmore');
    const { code, output } = await run(substituteCommand(launcherTemplate(root, ['bash']), { attendee: 'a-2', terminal: 'shell' })).done;
    assert.equal(code, 1);
    assert.match(output, /could not be prepared: no suitable node\r\n/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a terminal whose sandbox went away (ssh says 255) waits for it again, says it was recreated, and re-enters', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-launcher-'));
  try {
    startPreparing(root, 'a-3');
    writeEnterCommand(root, 'a-3', ['sh', '-c', 'echo first; exit 255']);
    const terminal = run(substituteCommand(launcherTemplate(root, ['bash', '-l']), { attendee: 'a-3', terminal: 'shell' }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // What the provider does when the swarm moved the sandbox to another node: prepare it again, say why.
    startPreparing(root, 'a-3');
    reportRecreated(root, 'a-3');
    reportProgress(root, 'a-3', 'sandbox found, checking its Docker engine');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    writeEnterCommand(root, 'a-3', ['echo', 'second:']);
    const { code, output } = await terminal.done;
    assert.equal(code, 0, output);
    assert.match(output, /^first\n/);
    assert.match(output, /The connection to your environment was lost: reconnecting\.\.\.\r\n/);
    assert.match(output, /sandbox found, checking its Docker engine\r\n/);
    assert.match(output, /Your environment was recreated \(its machine failed, or it stopped\): its state is lost\.\r\n/);
    assert.match(output, /second: bash -l\n$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a terminal never ends because its enter script was being made again at that moment: it waits, then re-enters', { timeout: 30_000 }, async () => {
  // The provider removes `enter` when it prepares the sandbox again (startPreparing), and writes the new one later: a
  // terminal that read or ran `enter` in between ended ("cannot open …/enter"), seen under load in multi-node.test.ts.
  const root = mkdtempSync(join(tmpdir(), 'labdeck-launcher-'));
  try {
    startPreparing(root, 'a-6');
    writeEnterCommand(root, 'a-6', ['sh', '-c', 'exit 255']);
    const terminal = run(substituteCommand(launcherTemplate(root, ['bash', '-l']), { attendee: 'a-6', terminal: 'shell' }));
    let ended: { code: number | null; output: string } | undefined;
    void terminal.done.then((result) => {
      ended = result;
    });
    // Every entry breaks (255) and every new enter script differs: the terminal re-enters at once, again and again,
    // while the provider removes and writes it.
    const until = Date.now() + 4000;
    for (let round = 0; Date.now() < until && !ended; round++) {
      startPreparing(root, 'a-6');
      await new Promise((resolve) => setTimeout(resolve, round % 3));
      writeEnterCommand(root, 'a-6', ['sh', '-c', 'exit 255', `round-${round}`]);
      await new Promise((resolve) => setTimeout(resolve, round % 2));
    }
    assert.equal(ended, undefined, `the terminal ended while its environment was being made again:\n${ended?.output}`);
    writeEnterCommand(root, 'a-6', ['echo', 'second:']);
    const { code, output } = await terminal.done;
    assert.equal(code, 0, output);
    assert.match(output, /second: bash -l\n$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a terminal whose shell ended by itself (any code but 255) exits with it', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-launcher-'));
  try {
    startPreparing(root, 'a-4');
    writeEnterCommand(root, 'a-4', ['sh', '-c', 'exit 3']);
    const { code } = await run(substituteCommand(launcherTemplate(root, ['bash']), { attendee: 'a-4', terminal: 'shell' })).done;
    assert.equal(code, 3);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a terminal enters a warm seat within a fraction of a second of its being ready (not at the next whole second)', { timeout: 10_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-launcher-'));
  try {
    startPreparing(root, 'a-3');
    const terminal = run(substituteCommand(launcherTemplate(root, ['bash']), { attendee: 'a-3', terminal: 'shell' }));
    // The terminal has looked once already, and found nothing: a claimed seat gets ready about now.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const ready = performance.now();
    writeEnterCommand(root, 'a-3', ['echo', 'entered']);
    const { code, output } = await terminal.done;
    const waited = performance.now() - ready;
    assert.equal(code, 0, output);
    assert.match(output, /entered bash\n$/);
    assert.ok(waited < 600, `entered ${waited.toFixed(0)} ms after the environment was ready`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
