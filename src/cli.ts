// The labdeck command line: argv → command. The only module that reads argv and the environment; it builds the real
// dependencies (output streams, asset folders, the browser opener, signals) and hands each command its slice.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserSsh } from './engine/engine-address.ts';
import { LabdeckError } from './errors.ts';
import { commandHelp, describeLabdeckError, parseCommandArgs, UsageError, type CommandContext } from './commands/command.ts';
import { commandCatalog, findCommand } from './commands/catalog.ts';
import { describeMissingNativeModule } from './commands/native-modules.ts';
import { renderCacheDir } from './workshop/render-cache.ts';

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runCli(argv, {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTerminal: process.stderr.isTTY === true,
    assetsDir: fileURLToPath(new URL('../public/', import.meta.url)),
    templateDir: fileURLToPath(new URL('./templates/workshop/', import.meta.url)),
    // npx and `npm exec` set npm_command=exec: a hint then says `npx labdeck`, which runs this same labdeck again.
    labdeckCommand: env.npm_command === 'exec' ? 'npx labdeck' : 'labdeck',
    openUrl: (url) => openInBrowser(url, env),
    browserPath: env.LABDECK_CHROMIUM ?? '/usr/bin/chromium',
    dockerHost: env.DOCKER_HOST,
    dataDir: env.LABDECK_DATA,
    renderCacheDir: renderCacheDir(env, homedir()),
    // markmaker.py's overrides of the repository and branch its footers link to (workshop/source-links.ts).
    repository: { repositoryUrl: env.REPOSITORY_URL, branch: env.BRANCH },
    userSsh: userSshSetup(env),
    untilStopped: () =>
      new Promise((resolve) => {
        const stop = (): void => {
          resolve();
          // A second Ctrl-C while cleaning up means "now".
          process.once('SIGINT', () => process.exit(130));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }),
  });
}

/** The command line with every outside dependency passed in: what the tests run. */
export async function runCli(argv: readonly string[], context: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    context.stderr(generalHelp());
    return 2;
  }
  if (name === '--version' || name === '-v') {
    context.stdout(`${labdeckVersion()}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h') {
    context.stdout(generalHelp());
    return 0;
  }
  if (name === 'help') return help(rest, context);

  const entry = findCommand(name);
  if (!entry) return usageError(`unknown command '${name}'`, 'labdeck --help', context);
  try {
    const command = await entry.load();
    const args = parseCommandArgs(command, rest);
    if (args.help) {
      context.stdout(commandHelp(entry.summary, command));
      return 0;
    }
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message, `labdeck help ${entry.name}`, context, entry.name);
    if (error instanceof LabdeckError) {
      context.stderr(`${describeLabdeckError(error, context.cwd)}\n`);
      return 1;
    }
    const nativeModuleFix = describeMissingNativeModule(error);
    if (nativeModuleFix) {
      context.stderr(`labdeck ${entry.name}: ${nativeModuleFix}\n`);
      return 1;
    }
    throw error; // a bug: let the stack trace show
  }
}

async function help(topics: readonly string[], context: CommandContext): Promise<number> {
  if (topics.length === 0) {
    context.stdout(generalHelp());
    return 0;
  }
  const entry = findCommand(topics[0]);
  if (!entry || topics.length > 1) return usageError(`no help for '${topics.join(' ')}'`, 'labdeck --help', context);
  context.stdout(commandHelp(entry.summary, await entry.load()));
  return 0;
}

function generalHelp(): string {
  const width = Math.max(...commandCatalog.map((entry) => entry.name.length));
  return [
    'Usage: labdeck <command> [options]',
    '',
    'Workshops in the container.training format: slides, exercises, checks.',
    '',
    'Commands:',
    ...commandCatalog.map((entry) => `  ${entry.name.padEnd(width)}  ${entry.summary}`),
    '',
    "The workshop manifest defaults to workshop.yml in the current folder. 'labdeck help <command>' tells more;",
    "'labdeck --version' which labdeck this is.",
    '',
  ].join('\n');
}

/** The installed package's version (the same src/ or dist/ sits one level below package.json). */
function labdeckVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function usageError(message: string, helpCommand: string, context: CommandContext, commandName?: string): number {
  context.stderr(`labdeck${commandName ? ` ${commandName}` : ''}: ${message}\nSee '${helpCommand}'.\n`);
  return 2;
}

/** Best effort: the URL is printed anyway, so a machine without a desktop still has a way in. */
function openInBrowser(url: string, env: NodeJS.ProcessEnv): void {
  const opener = env.BROWSER ?? (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`labdeck: could not start ${opener}: open ${url} yourself\n`));
  child.unref();
}

/** The user's ssh setup, as their `ssh` (and so the docker CLI) would use it to reach a prepared machine. */
function userSshSetup(env: NodeJS.ProcessEnv): UserSsh {
  const folder = join(homedir(), '.ssh');
  return {
    agentSocket: env.SSH_AUTH_SOCK || undefined,
    identities: ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(folder, name)),
    knownHosts: [join(folder, 'known_hosts'), '/etc/ssh/ssh_known_hosts'],
  };
}
