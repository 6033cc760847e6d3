// `labdeck autopilot`: plays the workshop's hands-on steps in a real terminal and waits for each step's check, to
// test a deck and its check specs end to end before a class. Exit 0 only when every step passed. By default on this
// machine (a local bash, the local engine); with `--environment swarm`, in a fresh attendee sandbox made for the run
// as the workshop's `classroom.environment` says (autopilot-sandbox.ts), removed afterwards unless `--keep`.
import { dirname, resolve } from 'node:path';
import { boundedTimeouts, defaultTimeouts, playSteps, type AutopilotTimeouts } from '../autopilot/play.ts';
import type { Catalog } from '../checks/catalog.ts';
import type { Step } from '../deck/steps.ts';
import { TerminalDriver } from '../autopilot/terminal-driver.ts';
import { connectEngineAt } from '../engine/engine-address.ts';
import { findExisting } from '../engine/swarm-objects.ts';
import type { AttendeeRef, EnvironmentProvider } from '../environments/provider.ts';
import { LabdeckError } from '../errors.ts';
import { startWorkshopChecks } from '../workshop/check-session.ts';
import { LAB_LABEL } from '../lab/dockercoins.ts';
import { loadWorkshopChecks } from '../workshop/workshop-checks.ts';
import { openRenderCache } from '../workshop/render-cache.ts';
import { describeObject, objectsCreatedBy } from '../lab/workshop-objects.ts';
import { autopilotAttendee, autopilotProvider, autopilotSandbox, type AutopilotSandbox } from './autopilot-sandbox.ts';
import { dataDirOption, dataOption, describeLabdeckError, displayPath, stringOption, UsageError, workshopPathArg, type Command, type CommandContext } from './command.ts';
import { connectLocalEngine } from './local-engine.ts';

const environments = ['local', 'swarm'] as const;
const MAX_COMMAND_SECONDS = 86_400;

export const autopilotCommand: Command = {
  synopsis:
    'autopilot [workshop.yml] [--from ID] [--show-terminal] [--check-timeout SECONDS] [--command-timeout SECONDS] [--environment local|swarm [--keep] [--data DIR]]',
  options: {
    from: { type: 'string', valueName: 'ID', description: 'start at this step (its id, as `labdeck check --explain` shows it)' },
    'show-terminal': { type: 'boolean', description: 'print what the terminal prints, as it comes' },
    'check-timeout': { type: 'string', valueName: 'SECONDS', description: "how long a step's check may take to pass (default 60)" },
    'command-timeout': {
      type: 'string',
      valueName: 'SECONDS',
      description: `how long a command may take before it gets Ctrl-C and its step fails, and at most how long a wait/longwait directive waits (default ${defaultTimeouts.commandMs / 1000})`,
    },
    environment: {
      type: 'string',
      valueName: 'local|swarm',
      description: "where to play: this machine (default), or a fresh attendee sandbox made as the workshop's classroom.environment says",
    },
    keep: { type: 'boolean', description: 'with --environment swarm: keep the sandbox afterwards, and say how to enter and remove it' },
    data: dataOption,
  },
  async run(args, context) {
    const manifest = workshopPathArg(args, context.cwd);
    const environment = stringOption(args, 'environment') ?? 'local';
    if (!environments.includes(environment as (typeof environments)[number])) {
      throw new UsageError(`--environment must be ${environments.join(' or ')}, not '${environment}'`);
    }
    const keep = args.values.keep === true;
    if (keep && environment !== 'swarm') throw new UsageError('--keep keeps the sandbox of --environment swarm: a local run has none');
    const { deck, catalog, workshop } = await loadWorkshopChecks(manifest, {}, openRenderCache(context.renderCacheDir));
    for (const error of catalog.errors) context.stderr(`${describeLabdeckError(error, context.cwd)}\n`);
    const from = stringOption(args, 'from');
    const start = from === undefined ? 0 : deck.steps.findIndex((step) => step.id === from);
    if (start < 0) throw new UsageError(`no step has the id '${from}'`);
    const timeoutText = stringOption(args, 'check-timeout');
    const checkSeconds = timeoutText === undefined ? 60 : Number(timeoutText);
    if (!(checkSeconds > 0)) throw new UsageError(`--check-timeout must be a number of seconds, not '${timeoutText}'`);
    const commandText = stringOption(args, 'command-timeout');
    const commandSeconds = commandText === undefined ? undefined : Number(commandText);
    // A timer longer than about 24.8 days fires at once: a day is more than any command of a deck.
    if (commandSeconds !== undefined && !(commandSeconds > 0 && commandSeconds <= MAX_COMMAND_SECONDS)) {
      throw new UsageError(`--command-timeout must be a number of seconds (more than 0, at most ${MAX_COMMAND_SECONDS}), not '${commandText}'`);
    }
    const timeouts: Partial<AutopilotTimeouts> = { checkMs: checkSeconds * 1000, ...(commandSeconds === undefined ? {} : boundedTimeouts(commandSeconds * 1000)) };
    const config = workshop.classroom.environment;
    if (environment === 'swarm' && config.provider !== 'swarm') {
      throw new LabdeckError(
        `--environment swarm plays in a sandbox made as the workshop's classroom.environment says: ${displayPath(manifest, context.cwd)} has ` +
          `${config.provider === 'local' ? 'none' : `provider ${config.provider}`} (add \`classroom: { environment: { provider: swarm } }\`)`,
      );
    }

    let stopped = false;
    const stopping = context.untilStopped().then(() => {
      stopped = true;
    });
    const steps = deck.steps.slice(start);
    const showTerminal = args.values['show-terminal'] === true;
    const onOutput = showTerminal ? { onOutput: (text: string) => context.stdout(text) } : {};

    let sandbox: AutopilotSandbox | undefined;
    let provider: EnvironmentProvider | undefined;
    let attendee: AttendeeRef | undefined;
    const dataDir = dataDirOption(args, context, manifest, workshop.classroom.dataDir);
    try {
      if (config.provider === 'swarm' && environment === 'swarm') {
        attendee = autopilotAttendee();
        const prefix = `environment ${attendee.id} (${attendee.name}): `;
        provider = autopilotProvider(config, {
          docker: connectLocalEngine(context),
          dataDir,
          log: (line) => context.stderr(`autopilot: ${line.startsWith(prefix) ? `sandbox: ${line.slice(prefix.length)}` : line}\n`),
          userSsh: context.userSsh,
        });
        context.stderr(`autopilot: preparing a fresh attendee sandbox for this run, ${attendee.id}, on the class swarm\n`);
        await Promise.race([provider.up(attendee), stopping]);
        if (stopped) {
          context.stderr('autopilot: stopped while the sandbox was prepared: it is removed once its preparation ends\n');
          return 1;
        }
        sandbox = autopilotSandbox(provider, attendee, dataDir);
      }
      return await play({ steps, catalog, manifest, context, sandbox, onOutput, timeouts, stopped: () => stopped });
    } finally {
      // Ctrl-C removes it, --keep or not: a stopped run leaves nothing behind.
      if (provider && attendee) {
        const kept = keep && !stopped && sandbox ? sandbox : undefined;
        await leaveSandbox(provider, attendee, { kept, manifest, dataGiven: stringOption(args, 'data'), context });
      }
    }
  },
};

interface PlayOptions {
  readonly steps: readonly Step[];
  readonly catalog: Catalog;
  readonly manifest: string;
  readonly context: CommandContext;
  /** Where to play; undefined: this machine. */
  readonly sandbox: AutopilotSandbox | undefined;
  readonly onOutput: { onOutput?: (text: string) => void };
  readonly timeouts: Partial<AutopilotTimeouts>;
  readonly stopped: () => boolean;
}

/** Plays the steps in a terminal (a local bash, or the sandbox's), checking them on that terminal's engine. */
async function play({ steps, catalog, manifest, context, sandbox, onOutput, timeouts, stopped }: PlayOptions): Promise<number> {
  const session = startWorkshopChecks(catalog.checks, sandbox ? connectEngineAt(sandbox.engine) : connectLocalEngine(context));
  const terminal = new TerminalDriver({
    cwd: dirname(manifest),
    ...onOutput,
    ...(sandbox
      ? { command: sandbox.terminalCommand, attendee: sandbox.attendee.id, ...(sandbox.shellIntegration ? { shellIntegration: sandbox.shellIntegration } : {}) }
      : {}),
  });
  const subscription = terminal.onCommand((record) => session.runner.commandRan(record));
  try {
    if (!sandbox) {
      // A step that creates what an earlier run left behind fails (`service debug already exists`) while its check
      // passes: say so before step 1. (No swarm, no engine: the steps will tell.) A fresh sandbox has nothing left.
      const leftovers = await findExisting(session.docker, objectsCreatedBy(steps), LAB_LABEL).catch(() => []);
      for (const object of leftovers) context.stderr(`autopilot: ${describeObject(object)} exists from an earlier run: run \`labdeck lab up\` to reset\n`);
    }
    // Over ssh, the first shell of a sandbox takes longer than a local bash.
    if (!(await terminal.ready(sandbox ? 60_000 : 15_000)) && sandbox) {
      throw new LabdeckError(`the sandbox's terminal did not start a shell: ${terminal.tail(2) || 'it printed nothing'}`);
    }
    context.stdout(`autopilot: ${steps.length} steps of ${manifest}${sandbox ? ` in sandbox ${sandbox.attendee.id}` : ''}\n`);
    const outcomes = await playSteps({
      steps,
      checks: catalog.checks,
      runner: session.runner,
      terminal,
      timeouts,
      log: (line) => context.stdout(`${line}\n`),
      stopped,
    });
    const passed = outcomes.filter((outcome) => outcome.ok).length;
    context.stderr(`autopilot: ${passed}/${steps.length} steps passed\n`);
    return passed === steps.length && catalog.errors.length === 0 ? 0 : 1;
  } finally {
    subscription.dispose();
    terminal.dispose();
    session.dispose();
  }
}

/** After the run (or Ctrl-C): the sandbox goes, or stays with how to enter and remove it. */
async function leaveSandbox(
  provider: EnvironmentProvider,
  attendee: AttendeeRef,
  options: { kept: AutopilotSandbox | undefined; manifest: string; dataGiven: string | undefined; context: CommandContext },
): Promise<void> {
  const { context, kept } = options;
  if (kept) {
    const labdeck = context.labdeckCommand ?? 'labdeck';
    const workshopOption = options.manifest === resolve(context.cwd, 'workshop.yml') ? '' : ` --workshop ${displayPath(options.manifest, context.cwd)}`;
    const dataOptionText = options.dataGiven === undefined ? '' : ` --data ${options.dataGiven}`;
    context.stdout(
      `autopilot: sandbox ${attendee.id} kept (--keep)\n` +
        `  enter it:  sh ${displayPath(kept.enterScript, context.cwd)}\n` +
        `  remove it: ${labdeck} env down ${attendee.id}${workshopOption}${dataOptionText}\n`,
    );
    return;
  }
  context.stderr(`autopilot: removing sandbox ${attendee.id}\n`);
  await provider.down(attendee).catch((error: unknown) => {
    context.stderr(`autopilot: sandbox ${attendee.id} could not be removed: ${(error as Error).message.split('\n')[0]}: \`labdeck env down ${attendee.id}\`\n`);
  });
}
