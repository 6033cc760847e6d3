// What every command is made of, and the argument parsing they share: one definition of options gives both the
// parser and the help text, so the two never disagree.
import { parseArgs } from 'node:util';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { LabdeckError } from '../errors.ts';
import type { UserSsh } from '../engine/engine-address.ts';
import type { RepositorySettings } from '../workshop/source-links.ts';

/** A mistake on the command line: the CLI prints it with a pointer to the help and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** For string options: how the help names the value, e.g. `DIR`. */
  readonly valueName?: string;
}

/** Everything a command may use from the outside world; cli.ts builds the real one, tests a fake. */
export interface CommandContext {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress is then a bar redrawn in place, else plain lines. */
  readonly stderrIsTerminal?: boolean;
  /** labdeck's public/ folder (the client bundle is built into public/build/). */
  readonly assetsDir: string;
  /** The skeleton `labdeck init` copies. */
  readonly templateDir: string;
  /** How the person starts labdeck, for hints that name a command: `npx labdeck` through npx; `labdeck` by default. */
  readonly labdeckCommand?: string | undefined;
  /** Opens a URL in the person's browser (serve --open). */
  readonly openUrl: (url: string) => void;
  /** Resolves when the process is asked to stop (Ctrl-C): long-running commands clean up then. */
  readonly untilStopped: () => Promise<void>;
  /** The Chromium executable `labdeck pdf` prints with (Debian's /usr/bin/chromium unless LABDECK_CHROMIUM says). */
  readonly browserPath?: string | undefined;
  /** The engine of the local attendee environment (DOCKER_HOST); undefined = the local socket. */
  readonly dockerHost?: string | undefined;
  /** Where classes keep their progress (LABDECK_DATA); commands fall back to a folder beside the workshop. */
  readonly dataDir?: string | undefined;
  /** The user's ssh-agent, keys and known_hosts: how checks log in to prepared machines' `ssh://` engines. */
  readonly userSsh?: UserSsh | undefined;
  /** Where rendered decks are cached (workshop/render-cache.ts renderCacheDir); undefined = no cache. */
  readonly renderCacheDir?: string | undefined;
  /** REPOSITORY_URL and BRANCH: where slide footers link to, instead of the deck's git checkout (as markmaker.py). */
  readonly repository?: RepositorySettings | undefined;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** A command's code; its name and summary are in catalog.ts, so that `labdeck --help` loads no command. */
export interface Command {
  /** The synopsis after `labdeck`, e.g. `serve [workshop.yml] [options]`. */
  readonly synopsis: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  run(args: ParsedArgs, context: CommandContext): Promise<number>;
}

export function parseCommandArgs(command: Command, argv: readonly string[]): ParsedArgs & { help: boolean } {
  const options = Object.fromEntries(Object.entries(command.options).map(([name, spec]) => [name, { type: spec.type }]));
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
    const { help, ...rest } = values as Record<string, string | boolean | undefined>;
    return { values: rest, positionals, help: help === true };
  } catch (error) {
    // node's messages explain how to pass a positional that starts with '-': true, but noise here.
    throw new UsageError((error as Error).message.replace(/\. [\s\S]*/, '').replace(/\.$/, ''));
  }
}

export function commandHelp(summary: string, command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => [`--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`, spec.description]);
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flag = '']) => flag.length));
  return [
    `Usage: labdeck ${command.synopsis}`,
    '',
    summary,
    '',
    'Options:',
    ...rows.map(([flag = '', description]) => `  ${flag.padEnd(width)}  ${description}`),
    '',
  ].join('\n');
}

/** The workshop manifest a command works on: its one optional positional, `workshop.yml` in cwd by default. */
export function workshopPathArg(args: ParsedArgs, cwd: string): string {
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
  return resolve(cwd, args.positionals[0] ?? 'workshop.yml');
}

/** `--exclude a,b` → ['a', 'b']; absent → undefined (the workshop's own setting applies). */
export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const value = args.values[name];
  if (typeof value !== 'string') return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function portOption(args: ParsedArgs, name: string, fallback: number): number {
  const value = stringOption(args, name);
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--${name} must be a port number (0-65535), not '${value}'`);
  return port;
}

export const dataOption = {
  type: 'string',
  valueName: 'DIR',
  description: 'where the class and its progress are kept (default: LABDECK_DATA, else .labdeck/ beside the workshop)',
} as const satisfies OptionSpec;

/** The class's data folder: --data, else LABDECK_DATA, else the workshop's (`classroom: { data }`), else `.labdeck/` beside the manifest. */
export function dataDirOption(args: ParsedArgs, context: CommandContext, manifest: string, workshopDataDir?: string): string {
  const given = stringOption(args, 'data') ?? context.dataDir;
  return given ? resolve(context.cwd, given) : (workshopDataDir ?? resolve(dirname(manifest), '.labdeck'));
}

/** The deck selection options serve, build and slides share (their meaning is workshop/load-deck.ts's). */
export const deckSelectionOptions = {
  exclude: { type: 'string', valueName: 'a,b', description: "slide classes to leave out, besides the workshop's exclude list" },
  only: {
    type: 'string',
    valueName: 'a,b',
    description: 'show only these tracks: slides of the other excluded classes stay out, the common trunk stays in',
  },
} as const satisfies Record<string, OptionSpec>;

/** `file:line: message` with the file relative to the current folder, as a person would type it. */
export function describeLabdeckError(error: LabdeckError, cwd: string): string {
  const location = error.location;
  if (!location) return error.message;
  const prefix = `${location.file}:${location.line}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return `${displayPath(location.file, cwd)}:${location.line}: ${message}`;
}

/** Paths under the current folder are shown relative to it; others stay absolute. */
export function displayPath(file: string, cwd: string): string {
  const shown = relative(cwd, file);
  return shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}
