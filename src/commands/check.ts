// `labdeck check`: whether each hands-on step of a workshop is done on the local engine, in the terminal. Exit 0
// only when every step passed (so it can gate a deck's CI). There is no terminal here, so `ran` checks have no
// command log to look at, and `manual` ones no confirmation: they stay failed, and say so.
import type { StepResult } from '../checks/runner.ts';
import type { CheckOrigin, CheckSpec } from '../checks/spec.ts';
import type { Step } from '../deck/steps.ts';
import { LabdeckError } from '../errors.ts';
import { loadWorkshopChecks } from '../workshop/workshop-checks.ts';
import { openRenderCache } from '../workshop/render-cache.ts';
import { startWorkshopChecks } from '../workshop/check-session.ts';
import { describeLabdeckError, displayPath, stringOption, UsageError, workshopPathArg, type Command, type CommandContext } from './command.ts';
import { connectLocalEngine } from './local-engine.ts';

export interface StepReport {
  readonly id: string;
  readonly slide: number;
  readonly text: string;
  readonly commands: readonly string[];
  readonly check: { readonly kind: CheckSpec['kind']; readonly how: CheckOrigin['how']; readonly from: string };
  readonly status: StepResult['status'];
  readonly reason: string;
}

export const checkCommand: Command = {
  synopsis: 'check [workshop.yml] [--step ID] [--json] [--watch] [--explain]',
  options: {
    step: { type: 'string', valueName: 'ID', description: 'only this step (its id, as --explain or --json show it)' },
    json: { type: 'boolean', description: 'print a JSON array: id, slide, text, commands, check, status, reason per step' },
    watch: { type: 'boolean', description: 'keep watching and print each change, until every step passed or Ctrl-C' },
    explain: { type: 'boolean', description: 'show which check each step got and where it came from' },
  },
  async run(args, context) {
    const manifest = workshopPathArg(args, context.cwd);
    const { deck, catalog } = await loadWorkshopChecks(manifest, {}, openRenderCache(context.renderCacheDir));
    for (const error of catalog.errors) context.stderr(`${describeLabdeckError(error, context.cwd)}\n`);

    const only = stringOption(args, 'step');
    const checks = only === undefined ? catalog.checks : catalog.checks.filter((check) => check.stepId === only);
    if (checks.length === 0) {
      if (only !== undefined) throw new UsageError(`no step has the id '${only}' (labdeck check --explain lists them)`);
      throw new LabdeckError(`${manifest}: the workshop has no hands-on steps`);
    }
    const steps = new Map(deck.steps.map((step) => [step.id, step]));
    const session = startWorkshopChecks(checks, connectLocalEngine(context));
    try {
      let results = await session.runner.checkNow();
      // biome-ignore lint/style/noNonNullAssertion: the runner's checks were made from these steps, one per step id
      const report = (): StepReport[] => results.map((result) => stepReport(steps.get(result.stepId)!, result, context.cwd));
      if (args.values.watch === true && !results.every(isPassed)) {
        if (args.values.json !== true) printTable(report(), args.values.explain === true, context);
        results = await watchUntilDone(session.runner, context, args.values.json !== true);
      }
      if (args.values.json === true) context.stdout(`${JSON.stringify(report(), null, 2)}\n`);
      else printTable(report(), args.values.explain === true, context);
      const passed = results.filter(isPassed).length;
      context.stderr(`${passed}/${results.length} step${results.length === 1 ? '' : 's'} passed\n`);
      return passed === results.length && catalog.errors.length === 0 ? 0 : 1;
    } finally {
      session.dispose();
    }
  },
};

function isPassed(result: StepResult): boolean {
  return result.status === 'passed';
}

export function stepReport(step: Step, result: StepResult, cwd: string): StepReport {
  return {
    id: step.id,
    slide: step.slide,
    text: step.text,
    commands: step.commands,
    check: { kind: result.check.kind, how: result.origin.how, from: `${displayPath(result.origin.file, cwd)}:${result.origin.line}` },
    status: result.status,
    reason: result.reason,
  };
}

const marks: Record<StepResult['status'], string> = { passed: '✓', failed: '✗', pending: '…', error: '!' };

function printTable(reports: readonly StepReport[], explain: boolean, context: CommandContext): void {
  for (const report of reports) {
    context.stdout(`${marks[report.status]} ${report.status.padEnd(7)} #${report.slide} ${report.id}  ${firstLine(report.text)}\n`);
    if (explain) context.stdout(`    check: ${report.check.kind}, ${report.check.how} at ${report.check.from}\n`);
    if (report.status !== 'passed' || explain) context.stdout(`    ${report.reason}\n`);
  }
}

/** Prints each change as it comes; resolves with the results once all passed, or when the person stops it. */
async function watchUntilDone(runner: ReturnType<typeof startWorkshopChecks>['runner'], context: CommandContext, print: boolean): Promise<StepResult[]> {
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const subscription = runner.onResult((result) => {
    if (print) context.stdout(`${new Date().toLocaleTimeString()} ${marks[result.status]} ${result.status} ${result.stepId}: ${result.reason}\n`);
    if (runner.results().every(isPassed)) resolveDone();
  });
  await Promise.race([done, context.untilStopped()]);
  subscription.dispose();
  return runner.results();
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
