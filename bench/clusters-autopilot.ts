// The swarm chapters under autopilot (issue 15, "Benchmark": the time the autopilot run takes, step by step): the
// workshop test/lab/swarm-chapters-autopilot.test.ts plays (test/support/swarm-chapters.ts: creatingswarm, morenodes,
// firstservice, with the offline stand-in images and the host's guard for 8.8.8.8), played by
// `labdeck autopilot --environment swarm` in a fresh 3-node cluster made for the run and removed after it.
// Total wall time, split where autopilot says so: the cluster made (until it prints `N steps of …`), the steps played
// (until `N/M steps passed`), the cluster removed; and each step's own time as autopilot prints it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { runLabdeck } from '../test/cli/run-cli.ts';
import { AutopilotRuns } from '../test/support/autopilot-runs.ts';
import { ensureFirstServiceStandIns } from '../test/support/stand-in-images.ts';
import { playedSteps, rejectPublicPing, swarmChaptersAutopilotArgs, writeSwarmChaptersWorkshop } from '../test/support/swarm-chapters.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const never = (): Promise<void> => new Promise<void>(() => {});

/** Plays the chapters once; resolves to the section's lines (markdown). */
export async function benchSwarmChaptersAutopilot(docker: Docker): Promise<string[]> {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-bench-swarm-chapters-'));
  const standIns = await ensureFirstServiceStandIns(docker);
  const guard = rejectPublicPing();
  const runs = new AutopilotRuns(docker);
  try {
    writeSwarmChaptersWorkshop(folder, standIns.names);
    let stdout = '';
    let stderr = '';
    const marks: { clusterReady?: number; stepsDone?: number } = {};
    const started = Date.now();
    const code = await runLabdeck(swarmChaptersAutopilotArgs, {
      cwd: folder,
      untilStopped: never,
      stdout: (text) => {
        stdout += text;
        if (marks.clusterReady === undefined && /^autopilot: \d+ steps of /m.test(stdout)) marks.clusterReady = Date.now();
      },
      stderr: (text) => {
        stderr += text;
        if (marks.stepsDone === undefined && /^autopilot: \d+\/\d+ steps passed$/m.test(stderr)) marks.stepsDone = Date.now();
      },
    }).then((run) => run.code);
    const ended = Date.now();
    runs.note(`${stdout}\n${stderr}`);
    const steps = playedSteps(stdout);
    if (steps.length === 0 || marks.clusterReady === undefined || marks.stepsDone === undefined) {
      throw new Error(`autopilot (exit ${code}) played no step:\n${stdout}\n${stderr}`);
    }
    const passed = steps.filter((step) => step.passed).length;
    const slowest = [...steps].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
    return [
      `The swarm chapters under autopilot (\`labdeck ${swarmChaptersAutopilotArgs.join(' ')}\`): the workshop of test/lab/swarm-chapters-autopilot.test.ts (container.training's creatingswarm, morenodes and firstservice, offline stand-in images, the spec file), in a fresh 3-node cluster made for the run and removed after it.`,
      '',
      '| phase | wall time |',
      '|---|---|',
      `| the cluster made (3 engines, images in every node, ssh between them) and the workshop loaded | ${seconds(marks.clusterReady - started)} |`,
      `| the ${steps.length} steps played (${passed} passed; the 4 that cannot pass offline, and why: the test's \`cannotPass\`) | ${seconds(marks.stepsDone - marks.clusterReady)} |`,
      `| the cluster removed | ${seconds(ended - marks.stepsDone)} |`,
      `| **total** | **${seconds(ended - started)}** |`,
      '',
      `Slowest steps: ${slowest.map((step) => `${step.id} ${step.seconds.toFixed(1)} s`).join(', ')}. Every step, in play order (its time as autopilot prints it: commands, directives, its check):`,
      '',
      '| slide | step | result | time |',
      '|---|---|---|---|',
      ...steps.map((step) => `| ${step.slide} | ${step.id} | ${step.passed ? 'passed' : 'failed'} | ${step.seconds.toFixed(1)} s |`),
    ];
  } finally {
    await runs.removeLeft(folder).catch(() => {});
    guard.release();
    await standIns.remove();
    rmSync(folder, { recursive: true, force: true });
  }
}
