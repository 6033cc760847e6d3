// Runs the command line in-process with captured output, the way cli.ts's main() would with the real process.
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli.ts';
import type { CommandContext } from '../../src/commands/command.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runLabdeck(argv: string[], overrides: Partial<CommandContext> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd: repoRoot,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    assetsDir: `${repoRoot}/public`,
    templateDir: `${repoRoot}/src/templates/workshop`,
    openUrl: () => {
      throw new Error('no browser in tests');
    },
    untilStopped: () => Promise.resolve(),
    ...overrides,
  });
  return { code, stdout, stderr };
}
