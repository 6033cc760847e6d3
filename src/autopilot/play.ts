// Autopilot: plays a workshop's hands-on steps in a real terminal, as container.training's autotest did, then waits
// (bounded) for each step's check. Hidden directives are honoured where they stand among the step's commands:
// `wait TEXT` / `longwait TEXT` (until the terminal printed it; right after a command, the text judges that command,
// not its exit code, and a host command is watched while it runs), `keys K` (keystrokes: `^C`, `^D`, `Enter`…) and
// `bash CMD` (typed like a command), `copy REGEX` (the latest text on the screen it matches), `paste` (types what was
// copied, as a command) and `copypaste REGEX` (both). `tmux`/`open`/`hide` concern the presenter's screen: skipped.
//
// Where commands are typed follows shells.ts: `docker exec -ti … sh` enters a container's shell and `ssh node2` a
// shell on another node; the next commands are typed there until `exit`, `logout` or `keys ^D`. A docker command
// leaves a container's shell first (a deck that omits its `keys ^D`), and stays in an ssh shell (it is for that node).
import type { StepResult } from '../checks/runner.ts';
import type { CheckRunner } from '../checks/runner.ts';
import type { CheckSpec, StepCheck } from '../checks/spec.ts';
import { runsDocker } from '../checks/infer.ts';
import type { Directive, Step } from '../deck/steps.ts';
import { elementAt } from '../errors.ts';
import { createdService, prepareCommand } from './command-prep.ts';
import { keysToBytes, leavesShell } from './keys.ts';
import { copyFromScreen } from './screen-copy.ts';
import { entersRemoteShell, shellMove, type ShellKind } from './shells.ts';
import { INTERRUPTED_MS, type TerminalDriver } from './terminal-driver.ts';

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

/**
 * The timeouts with every wait for the terminal bounded by `commandMs` (`--command-timeout`): a command, in the host's
 * shell or another, and the text a `wait`/`longwait` directive expects (never longer than their own defaults).
 */
export function boundedTimeouts(commandMs: number): Pick<AutopilotTimeouts, 'commandMs' | 'containerCommandMs' | 'waitMs' | 'longwaitMs'> {
  return {
    commandMs,
    containerCommandMs: commandMs,
    waitMs: Math.min(defaultTimeouts.waitMs, commandMs),
    longwaitMs: Math.min(defaultTimeouts.longwaitMs, commandMs),
  };
}

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
  let lastService: string | undefined;
  /** The shells entered from the host's, innermost last. */
  const shells: EnteredShell[] = [];
  const current = (): EnteredShell | undefined => shells[shells.length - 1];
  // The command that entered the container shell autopilot left to run a docker command: the deck's next
  // container commands are typed there again ("open another window" … then back to the container's).
  let resumeWith: string | undefined;
  let clipboard: string | undefined;

  /**
   * The innermost shell is being left (its `exit` or Ctrl-D was sent when the output was `mark` long): waits until the
   * shell below is back, the host's (the record of the command that entered it) or another one (its prompt).
   */
  const leftShell = async (mark: number): Promise<boolean> => {
    const left = shells.pop();
    if (!left) return true;
    if (shells.length === 0) return (await terminal.waitForRecord(left.recordsBefore, timeouts.containerCommandMs)) !== undefined;
    return terminal.waitForPrompt(timeouts.containerCommandMs, mark);
  };
  const leaveShell = async (): Promise<void> => {
    const shell = current();
    if (!shell) return;
    log(`  (leaving the ${describeShell(shell)}: exit)`);
    const mark = terminal.outputLength;
    terminal.type('exit');
    await leftShell(mark);
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

    // A host command followed by a `wait`: typed, and not waited for; the wait watches what it prints while it runs,
    // and the directives after it may end it (`key ^C`). Its end is awaited once they ran (finishWatched).
    // `interrupted`: a `key ^C` directive stopped it, and it is given INTERRUPTED_MS to end, as after a timeout.
    let watched: { readonly typed: string; readonly recordsBefore: number; readonly endless: boolean; interrupted: boolean } | undefined;
    const finishWatched = async (): Promise<void> => {
      const command = watched;
      watched = undefined;
      if (!command) return;
      const waitMs = command.endless ? 0 : command.interrupted ? Math.max(timeouts.commandMs, INTERRUPTED_MS) : timeouts.commandMs;
      let record = await terminal.waitForRecord(command.recordsBefore, waitMs);
      if (!record) {
        terminal.send('\x03');
        record = await terminal.waitForRecord(command.recordsBefore, INTERRUPTED_MS);
        if (!command.endless) note(`\`${command.typed}\` did not finish within ${timeouts.commandMs / 1000} s`);
      }
    };

    const runDirective = async (directive: Directive, since: number): Promise<void> => {
      switch (directive.kind) {
        case 'wait':
        case 'longwait': {
          const limit = directive.kind === 'wait' ? timeouts.waitMs : timeouts.longwaitMs;
          if (watched) {
            const seen = await terminal.waitForTextWhileRunning(directive.argument, since, watched.recordsBefore, limit);
            if (seen === 'ended') note(`\`${directive.argument}\` did not appear: \`${watched.typed}\` ended without printing it`);
            else if (seen === 'timeout') note(`\`${directive.argument}\` did not appear within ${limit / 1000} s`);
            return;
          }
          if (!(await terminal.waitForText(directive.argument, since, limit))) note(`\`${directive.argument}\` did not appear within ${limit / 1000} s`);
          return;
        }
        case 'keys':
        case 'key': {
          log(`  keys ${directive.argument}`);
          const mark = terminal.outputLength;
          const keys = keysToBytes(directive.argument);
          if (watched && keys.includes('\x03')) watched.interrupted = true;
          terminal.send(keys);
          if (current() && leavesShell(directive.argument)) {
            await leftShell(mark);
            resumeWith = undefined;
          } else {
            await (current() ? terminal.waitForPrompt(timeouts.containerCommandMs) : delay(500));
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

    /**
     * Types the command that enters a shell; it counts as entered once the output settles on that shell's prompt. A
     * failure is the deck's expectation when a wait follows (`judgedByText`: netshoot.md's `docker exec -ti containerID sh`).
     */
    const enterShell = async (kind: ShellKind, command: string, typed: string, judgedByText: boolean): Promise<void> => {
      const below = current();
      const recordsBefore = terminal.recordCount;
      if (!(await terminal.runInContainer(typed, timeouts.commandMs))) {
        note(`no shell prompt after \`${typed}\`: ${terminal.tail(2)}`);
        return;
      }
      // Typed in the host's shell, it failed at once (no such container, ssh refused): back on the host already.
      const record = below === undefined && terminal.recordCount > recordsBefore ? terminal.latestRecord() : undefined;
      if (record && record.exitCode !== undefined) {
        if (record.exitCode !== 0 && !judgedByText) note(`\`${typed}\` exited with ${record.exitCode}: ${terminal.tail(2)}`);
        return;
      }
      shells.push({ kind, command, host: kind === 'remote' ? entersRemoteShell(command) : undefined, recordsBefore });
      resumeWith = undefined;
    };

    /**
     * `judgedByText`: a `wait`/`longwait` directive follows the command, and says what it must print: its exit code does
     * not count, and in the host's shell it is not waited for either: the wait watches it run, as container.training's
     * autotest does (firstservice.md waits for the error of `docker logs containerID`; logging.md for `Detected task
     * failure` from a `docker service create` that never converges, then sends `key ^C`).
     */
    const runCommand = async (command: string, judgedByText = false): Promise<void> => {
      let move = shellMove(current()?.kind, command);
      while (move.kind === 'leave-first') {
        const left = current();
        await leaveShell();
        resumeWith = left?.command;
        move = shellMove(current()?.kind, command);
      }
      if (move.kind === 'stay' && resumeWith !== undefined && current()?.kind !== 'container' && !runsDocker(command)) {
        const again = resumeWith;
        resumeWith = undefined;
        log('  (back to the container shell)');
        await runCommand(again);
        move = shellMove(current()?.kind, command);
      }
      const shell = current();
      const prepared = prepareCommand(command, { lastService });
      for (const assignment of prepared.assignments) {
        log(`  ${promptOf(shell)} ${assignment}`);
        if (shell) await terminal.runInContainer(assignment, timeouts.containerCommandMs);
        else await terminal.runOnHost(assignment, timeouts.commandMs);
      }
      const interruptAfter = prepared.endless ? timeouts.interruptAfterMs : undefined;
      log(`  ${promptOf(shell)} ${prepared.typed}${prepared.endless ? `   (Ctrl-C after ${timeouts.interruptAfterMs / 1000} s)` : ''}`);
      if (move.kind === 'enter') {
        await enterShell(move.shell, command, prepared.typed, judgedByText);
      } else if (move.kind === 'leave') {
        const mark = terminal.outputLength;
        terminal.type(prepared.typed);
        if (!(await leftShell(mark))) note(`\`${prepared.typed}\` did not return to the shell below within ${timeouts.containerCommandMs / 1000} s`);
        resumeWith = undefined;
      } else if (shell) {
        if (!(await terminal.runInContainer(prepared.typed, timeouts.containerCommandMs, interruptAfter))) {
          note(`\`${prepared.typed}\` did not return to the prompt within ${timeouts.containerCommandMs / 1000} s`);
        }
      } else if (judgedByText) {
        watched = { typed: prepared.typed, recordsBefore: terminal.recordCount, endless: prepared.endless, interrupted: false };
        terminal.type(prepared.typed);
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
      const directives = step.directives.filter((d) => d.afterCommands === position);
      const waitsFor = directives[0]?.kind === 'wait' || directives[0]?.kind === 'longwait';
      if (position > 0) await runCommand(elementAt(step.commands, position - 1), waitsFor);
      for (const directive of directives) await runDirective(directive, since);
      await finishWatched();
    }

    if (isManual(check.check) && problem === undefined) runner.confirm(step.id);
    // A step whose command failed is failed whatever its check says: the check is read once (its reason), not waited for.
    // The step's own `timeout` (its spec entry), when it has one, rather than --check-timeout.
    const result = await awaitCheck(runner, step.id, problem === undefined ? (check.timeoutMs ?? timeouts.checkMs) : 0);
    const ok = result.status === 'passed' && problem === undefined;
    const outcome: StepOutcome = { step, result, durationMs: Date.now() - started, problem, ok };
    outcomes.push(outcome);
    const seconds = (outcome.durationMs / 1000).toFixed(1);
    const status = ok || result.status !== 'passed' ? result.status : 'passed, but a command did not go through';
    log(`${ok ? '✓' : '✗'} #${step.slide} ${step.id} ${status} (${seconds} s): ${result.reason}`);
  }
  while (current()) await leaveShell();
  return outcomes;
}

/** A shell autopilot entered: a container's, or one on another node over ssh. */
interface EnteredShell {
  readonly kind: ShellKind;
  /** The command that entered it (typed again to go back into a container). */
  readonly command: string;
  /** The node an ssh shell is on. */
  readonly host: string | undefined;
  /** Host command records before it was entered: leaving it back to the host's shell adds one, its own. */
  readonly recordsBefore: number;
}

function describeShell(shell: EnteredShell): string {
  return shell.kind === 'container' ? 'container shell' : `shell on ${shell.host}`;
}

/** How the progress lines show where a command is typed: `$` the host, `#` a container, `node2$` over ssh. */
function promptOf(shell: EnteredShell | undefined): string {
  if (!shell) return '$';
  return shell.kind === 'container' ? '#' : `${shell.host}$`;
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
