// Autopilot: plays a workshop's hands-on steps in a real terminal, as container.training's autotest did, then waits
// (bounded) for each step's check. Hidden directives are honoured where they stand among the step's commands:
// `wait TEXT` / `longwait TEXT` (until the terminal printed it), `keys K` (keystrokes: `^C`, `^D`, `Enter`…) and
// `bash CMD` (typed like a command), `copy REGEX` (the latest text on the screen it matches), `paste` (types what was
// copied, as a command) and `copypaste REGEX` (both). `tmux`/`open`/`hide` concern the presenter's screen: skipped.
//
// The shell state follows the catalog's model (checks/catalog.ts): `docker exec -ti … sh` enters a container's shell
// and the next commands are typed there; a docker command, `exit` or `keys ^D` leaves it. When a step runs docker
// while autopilot is still inside (a deck that omits its `keys ^D`), autopilot leaves the container first.
import type { StepResult } from '../checks/runner.ts';
import type { CheckRunner } from '../checks/runner.ts';
import type { CheckSpec, StepCheck } from '../checks/spec.ts';
import { entersContainerShell, runsDocker } from '../checks/infer.ts';
import type { Directive, Step } from '../deck/steps.ts';
import { elementAt } from '../errors.ts';
import { createdService, prepareCommand } from './command-prep.ts';
import { keysToBytes, leavesShell } from './keys.ts';
import { copyFromScreen } from './screen-copy.ts';
import type { TerminalDriver } from './terminal-driver.ts';

export interface AutopilotTimeouts {
  /** A host command (`docker service create` waits for its tasks). */
  readonly commandMs: number;
  /** A command inside a container. */
  readonly containerCommandMs: number;
  /** How long a step's check may take to pass after its commands ran. */
  readonly checkMs: number;
  /** When an endless command (`ping rng`) gets its Ctrl-C. */
  readonly interruptAfterMs: number;
  readonly waitMs: number;
  readonly longwaitMs: number;
}

export const defaultTimeouts: AutopilotTimeouts = Object.freeze({
  commandMs: 180_000,
  containerCommandMs: 180_000,
  checkMs: 60_000,
  interruptAfterMs: 3_000,
  waitMs: 15_000,
  longwaitMs: 120_000,
});

export interface StepOutcome {
  readonly step: Step;
  readonly result: StepResult;
  readonly durationMs: number;
  /** What went wrong while typing the step (a command that failed or did not finish), if anything. */
  readonly problem: string | undefined;
  /** The check passed and every command of the step went through: the deck works here. */
  readonly ok: boolean;
}

export interface AutopilotOptions {
  readonly steps: readonly Step[];
  readonly checks: readonly StepCheck[];
  readonly runner: CheckRunner;
  readonly terminal: TerminalDriver;
  readonly timeouts?: Partial<AutopilotTimeouts>;
  /** Progress lines, as it goes. */
  readonly log: (line: string) => void;
  /** Asked between steps: stop early (Ctrl-C). */
  readonly stopped?: () => boolean;
}

export async function playSteps(options: AutopilotOptions): Promise<StepOutcome[]> {
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const { terminal, runner, log } = options;
  const checks = new Map(options.checks.map((check) => [check.stepId, check]));
  const outcomes: StepOutcome[] = [];
  let inside = false;
  let lastService: string | undefined;
  let enteredAt = 0; // records before the `docker exec` that entered the container
  // The command that entered the container shell autopilot left to run a docker command: the deck's next
  // container commands are typed there again ("open another window" … then back to the container's).
  let resumeWith: string | undefined;
  let enteringCommand: string | undefined;
  let clipboard: string | undefined;

  const leaveContainer = async (): Promise<void> => {
    log('  (leaving the container shell: exit)');
    terminal.type('exit');
    await terminal.waitForRecord(enteredAt, timeouts.containerCommandMs);
    inside = false;
  };

  for (const step of options.steps) {
    if (options.stopped?.()) break;
    const check = checks.get(step.id);
    if (!check) continue;
    const started = Date.now();
    log(`▶ #${step.slide} ${step.id}: ${firstLine(step.text)}`);
    let problem: string | undefined;
    const note = (text: string): void => {
      problem ??= text;
      log(`  ! ${text}`);
    };

    const runDirective = async (directive: Directive, since: number): Promise<void> => {
      switch (directive.kind) {
        case 'wait':
        case 'longwait': {
          const limit = directive.kind === 'wait' ? timeouts.waitMs : timeouts.longwaitMs;
          if (!(await terminal.waitForText(directive.argument, since, limit))) note(`\`${directive.argument}\` did not appear within ${limit / 1000} s`);
          return;
        }
        case 'keys':
        case 'key': {
          log(`  keys ${directive.argument}`);
          terminal.send(keysToBytes(directive.argument));
          if (inside && leavesShell(directive.argument)) {
            await terminal.waitForRecord(enteredAt, timeouts.containerCommandMs);
            inside = false;
          } else {
            await (inside ? terminal.waitForPrompt(timeouts.containerCommandMs) : delay(500));
          }
          return;
        }
        case 'bash':
          await runCommand(directive.argument);
          return;
        case 'copy':
        case 'copypaste': {
          const copied = copyFromScreen(terminal.screenText(), directive.argument);
          if ('problem' in copied) {
            note(copied.problem);
            return;
          }
          log(`  (copied: ${copied.text})`);
          clipboard = copied.text;
          if (directive.kind === 'copypaste') await runCommand(clipboard);
          return;
        }
        case 'paste':
          if (clipboard === undefined) note('paste: nothing was copied before (a `copy` directive comes first)');
          else await runCommand(clipboard);
          return;
        default:
          log(`  (${directive.kind} directive: presenter-only, skipped)`);
      }
    };

    const runCommand = async (command: string): Promise<void> => {
      if (inside && runsDocker(command)) {
        await leaveContainer();
        resumeWith = enteringCommand;
      } else if (!inside && resumeWith !== undefined && !runsDocker(command)) {
        const again = resumeWith;
        resumeWith = undefined;
        log('  (back to the container shell)');
        await runCommand(again);
      }
      const prepared = prepareCommand(command, { lastService });
      for (const assignment of prepared.assignments) {
        log(`  $ ${assignment}`);
        await terminal.runOnHost(assignment, timeouts.commandMs);
      }
      const interruptAfter = prepared.endless ? timeouts.interruptAfterMs : undefined;
      log(`  ${inside ? '#' : '$'} ${prepared.typed}${prepared.endless ? `   (Ctrl-C after ${timeouts.interruptAfterMs / 1000} s)` : ''}`);
      if (entersContainerShell(command) && !inside) {
        enteringCommand = command;
        resumeWith = undefined;
        enteredAt = terminal.recordCount;
        terminal.type(prepared.typed);
        if (await terminal.waitForPrompt(timeouts.commandMs)) inside = true;
        else note(`no shell prompt after \`${prepared.typed}\`: ${terminal.tail(2)}`);
        // `docker exec` failed at once (no such container): back on the host already.
        const record = terminal.recordCount > enteredAt ? terminal.latestRecord() : undefined;
        if (record && record.exitCode !== undefined) {
          inside = false;
          if (record.exitCode !== 0) note(`\`${prepared.typed}\` exited with ${record.exitCode}: ${terminal.tail(2)}`);
        }
      } else if (inside) {
        if (!(await terminal.runInContainer(prepared.typed, timeouts.containerCommandMs, interruptAfter))) {
          note(`\`${prepared.typed}\` did not return to the prompt within ${timeouts.containerCommandMs / 1000} s`);
        }
        if (/^\s*(exit|logout)\b/.test(command)) {
          await terminal.waitForRecord(enteredAt, timeouts.containerCommandMs);
          inside = false;
        }
      } else {
        const record = await terminal.runOnHost(prepared.typed, timeouts.commandMs, interruptAfter);
        if (!record) note(`\`${prepared.typed}\` did not finish within ${timeouts.commandMs / 1000} s`);
        else if (record.exitCode !== 0 && !(prepared.endless && record.exitCode === 130)) {
          note(`\`${prepared.typed}\` exited with ${record.exitCode}: ${terminal.tail(2)}`);
        }
      }
      lastService = createdService(command) ?? lastService;
    };

    for (let position = 0; position <= step.commands.length; position++) {
      const since = terminal.outputLength;
      if (position > 0) await runCommand(elementAt(step.commands, position - 1));
      for (const directive of step.directives.filter((d) => d.afterCommands === position)) await runDirective(directive, since);
    }

    if (isManual(check.check) && problem === undefined) runner.confirm(step.id);
    const result = await awaitCheck(runner, step.id, timeouts.checkMs);
    const ok = result.status === 'passed' && problem === undefined;
    const outcome: StepOutcome = { step, result, durationMs: Date.now() - started, problem, ok };
    outcomes.push(outcome);
    const seconds = (outcome.durationMs / 1000).toFixed(1);
    const status = ok || result.status !== 'passed' ? result.status : 'passed, but a command did not go through';
    log(`${ok ? '✓' : '✗'} #${step.slide} ${step.id} ${status} (${seconds} s): ${result.reason}`);
  }
  if (inside) await leaveContainer();
  return outcomes;
}

/** Re-checks the step until it passes or time is up; resolves with its latest result. */
async function awaitCheck(runner: CheckRunner, stepId: string, timeoutMs: number): Promise<StepResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = elementAt(await runner.checkNow(stepId), 0); // the runner has this step: one result
    if (result.status === 'passed' || Date.now() >= deadline) return result;
    await Promise.race([
      new Promise<void>((resolve) => {
        const subscription = runner.onResult((changed) => {
          if (changed.stepId === stepId && changed.status === 'passed') {
            subscription.dispose();
            resolve();
          }
        });
        setTimeout(
          () => {
            subscription.dispose();
            resolve();
          },
          Math.min(1000, Math.max(0, deadline - Date.now())),
        );
      }),
    ]);
  }
}

function isManual(check: CheckSpec): boolean {
  if (check.kind === 'manual') return true;
  if (check.kind === 'all') return check.checks.some(isManual);
  return false;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 70 ? `${line.slice(0, 69)}…` : line;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
