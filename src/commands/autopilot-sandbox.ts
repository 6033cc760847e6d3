// `labdeck autopilot --environment swarm`: the run's own attendee environment, made as the workshop's
// `classroom.environment` says, through the same provider calls a class uses (up, terminalCommands, shellIntegration,
// engineOf, down), so that the run's terminal and checks are an attendee's.
//
// It belongs to no class: its class id is `autopilot` (no class's warm seat is taken, a serving class's follow() does
// not see it) and each run has an attendee id of its own, `autopilot-<8 hex>` (a class's attendees are `a-…`). Its
// files are under the workshop's data folder, as a class's environments are; `labdeck env status|down autopilot-…`
// find it by its id (a run kept with --keep), and `labdeck env status|down` with no attendee find every run of the
// data folder by its folder.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import type { EnvironmentConfig } from '../config/environment.ts';
import { localShellCommand } from '../config/terminals.ts';
import type { EngineAddress, UserSsh } from '../engine/engine-address.ts';
import type { EngineClient } from '../engine/services.ts';
import { createEnvironmentProvider, environmentsFolder } from '../environments/create-provider.ts';
import { attendeeFolder } from '../environments/launcher.ts';
import type { AttendeeRef, EnvironmentProvider } from '../environments/provider.ts';
import { LabdeckError } from '../errors.ts';
import type { CommandTemplate } from '../terminal/command-template.ts';
import type { ShellIntegrationHook } from '../terminal/shell-integration.ts';

/** The class id of autopilot's environments: not a class code (six capitals and digits), so never a class's. */
export const AUTOPILOT_CLASS = 'autopilot';
const AUTOPILOT_ID = /^autopilot-[0-9a-f]{8}$/;

/** Whether an id names an autopilot run's environment (`labdeck env down autopilot-…`). */
export function isAutopilotAttendee(id: string): boolean {
  return AUTOPILOT_ID.test(id);
}

/**
 * The autopilot runs this data folder holds an environment of (kept with --keep, or left by a killed run): the
 * folders of their files. Runs of other workshops (other data folders) are theirs to remove.
 */
export function autopilotRunsIn(dataDir: string): AttendeeRef[] {
  const root = environmentsFolder(dataDir);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter(isAutopilotAttendee)
    .sort()
    .map((id) => autopilotAttendee(id));
}

/** The attendee an autopilot run plays as, new for each run. */
export function autopilotAttendee(id = `autopilot-${randomBytes(4).toString('hex')}`): AttendeeRef {
  return { id, name: 'autopilot' };
}

export interface AutopilotEnvironmentOptions {
  /** The class engine (the swarm manager). */
  readonly docker: EngineClient;
  readonly dataDir: string;
  readonly log: (line: string) => void;
  readonly userSsh?: UserSsh | undefined;
}

/** The provider of autopilot's environments, as `classroom.environment` describes them. */
export function autopilotProvider(config: EnvironmentConfig, options: AutopilotEnvironmentOptions): EnvironmentProvider {
  return createEnvironmentProvider(config, {
    docker: options.docker,
    classId: AUTOPILOT_CLASS,
    dataDir: options.dataDir,
    log: options.log,
    nodeAccess: { userSsh: options.userSsh },
  });
}

export interface AutopilotSandbox {
  readonly attendee: AttendeeRef;
  /** What the run's terminal runs: an attendee's login shell in their environment. */
  readonly terminalCommand: CommandTemplate;
  readonly shellIntegration: ShellIntegrationHook | undefined;
  /** The engine the run's checks watch: the one an attendee's checks watch. */
  readonly engine: EngineAddress;
  /** The script that enters it from this machine (`sh FILE` opens a shell there). */
  readonly enterScript: string;
}

/**
 * What the run needs of its environment, once `provider.up(attendee)` made it: the terminal and the engine an
 * attendee of the class would get. Only environments with an engine of their own can host a run.
 */
export function autopilotSandbox(provider: EnvironmentProvider, attendee: AttendeeRef, dataDir: string): AutopilotSandbox {
  const engine = provider.engineOf(attendee.id);
  if (!engine) throw new LabdeckError(`the ${provider.kind} environment has no engine of its own to play in`);
  const name = 'autopilot';
  const terminalCommand = provider.terminalCommands([{ name, command: localShellCommand, localShell: true, location: { file: '', line: 0 } }])[name];
  if (!terminalCommand) throw new LabdeckError(`the ${provider.kind} environment gives no terminal`);
  return {
    attendee,
    terminalCommand,
    shellIntegration: provider.shellIntegration,
    engine,
    enterScript: `${attendeeFolder(environmentsFolder(dataDir), attendee.id)}/enter`,
  };
}
