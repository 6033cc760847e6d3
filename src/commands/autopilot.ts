// `labdeck autopilot`: plays the workshop's hands-on steps in a real terminal and waits for each step's check, to
// test a deck and its check specs end to end before a class. Exit 0 only when every step passed.
import { dirname } from 'node:path';
import { playSteps } from '../autopilot/play.ts';
import { TerminalDriver } from '../autopilot/terminal-driver.ts';
import { findExisting } from '../engine/swarm-objects.ts';
import { startWorkshopChecks } from '../workshop/check-session.ts';
import { LAB_LABEL } from '../lab/dockercoins.ts';
import { loadWorkshopChecks } from '../workshop/workshop-checks.ts';
import { openRenderCache } from '../workshop/render-cache.ts';
import { describeObject, objectsCreatedBy } from '../lab/workshop-objects.ts';
import { describeLabdeckError, stringOption, UsageError, workshopPathArg, type Command } from './command.ts';
import { connectLocalEngine } from './local-engine.ts';

export const autopilotCommand: Command = {
  synopsis: 'autopilot [workshop.yml] [--from ID] [--show-terminal] [--check-timeout SECONDS]',
  options: {
    from: { type: 'string', valueName: 'ID', description: 'start at this step (its id, as `labdeck check --explain` shows it)' },
    'show-terminal': { type: 'boolean', description: 'print what the terminal prints, as it comes' },
    'check-timeout': { type: 'string', valueName: 'SECONDS', description: "how long a step's check may take to pass (default 60)" },
  },
  async run(args, context) {
    const manifest = workshopPathArg(args, context.cwd);
    const { deck, catalog } = await loadWorkshopChecks(manifest, {}, openRenderCache(context.renderCacheDir));
    for (const error of catalog.errors) context.stderr(`${describeLabdeckError(error, context.cwd)}\n`);
    const from = stringOption(args, 'from');
    const start = from === undefined ? 0 : deck.steps.findIndex((step) => step.id === from);
    if (start < 0) throw new UsageError(`no step has the id '${from}'`);
    const timeoutText = stringOption(args, 'check-timeout');
    const checkSeconds = timeoutText === undefined ? 60 : Number(timeoutText);
    if (!(checkSeconds > 0)) throw new UsageError(`--check-timeout must be a number of seconds, not '${timeoutText}'`);

    const steps = deck.steps.slice(start);
    const session = startWorkshopChecks(catalog.checks, connectLocalEngine(context));
    const showTerminal = args.values['show-terminal'] === true;
    const terminal = new TerminalDriver({ cwd: dirname(manifest), ...(showTerminal ? { onOutput: (text: string) => context.stdout(text) } : {}) });
    const subscription = terminal.onCommand((record) => session.runner.commandRan(record));
    let stopped = false;
    void context.untilStopped().then(() => {
      stopped = true;
    });
    try {
      // A step that creates what an earlier run left behind fails (`service debug already exists`) while its check
      // passes: say so before step 1. (No swarm, no engine: the steps will tell.)
      const leftovers = await findExisting(session.docker, objectsCreatedBy(steps), LAB_LABEL).catch(() => []);
      for (const object of leftovers) context.stderr(`autopilot: ${describeObject(object)} exists from an earlier run: run \`labdeck lab up\` to reset\n`);
      await terminal.ready();
      context.stdout(`autopilot: ${steps.length} steps of ${manifest}\n`);
      const outcomes = await playSteps({
        steps,
        checks: catalog.checks,
        runner: session.runner,
        terminal,
        timeouts: { checkMs: checkSeconds * 1000 },
        log: (line) => context.stdout(`${line}\n`),
        stopped: () => stopped,
      });
      const passed = outcomes.filter((outcome) => outcome.ok).length;
      context.stderr(`autopilot: ${passed}/${steps.length} steps passed\n`);
      return passed === steps.length && catalog.errors.length === 0 ? 0 : 1;
    } finally {
      subscription.dispose();
      terminal.dispose();
      session.dispose();
    }
  },
};
