// Where a slide's `.debug[...]` footer links to: its source file in the deck's repository, found as
// container.training's markmaker.py finds it, from the git checkout the manifest is in. The git reads are the I/O;
// deck/manifest.ts only joins the prefix found here with each file's path.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const execGit = promisify(execFile);

/** markmaker's environment overrides, which cli.ts reads (REPOSITORY_URL, BRANCH); set, they win over git. */
export interface RepositorySettings {
  readonly repositoryUrl?: string | undefined;
  readonly branch?: string | undefined;
}

/**
 * The prefix of every footer link of a deck whose manifest is in `manifestDir`, as markmaker.py builds it:
 * `<repository>/tree/<branch>/<folder>/`, where the repository is REPOSITORY_URL or `git config remote.origin.url`
 * (`git@github.com:` made `https://github.com/`), the branch BRANCH or `git rev-parse --abbrev-ref HEAD`, and the
 * folder `git rev-parse --show-prefix` without its slashes (empty at the root of the checkout, hence the `//`
 * markmaker writes there). When any of them cannot be read (not a checkout, no remote, no commit yet, no git),
 * markmaker links to the file on disk: `file://<the manifest's folder>/`.
 *
 * Two git processes, run side by side without blocking: the remote's, and one `rev-parse` for both the folder and the
 * branch (markmaker runs three one after the other: they held `serve`'s start, and every reload, for tens of ms).
 */
export async function sourceLinkPrefix(manifestDir: string, settings: RepositorySettings = {}): Promise<string> {
  const folder = resolve(manifestDir);
  try {
    const [remote, revParse] = await Promise.all([
      settings.repositoryUrl ?? git(folder, ['config', 'remote.origin.url']),
      // With BRANCH set, HEAD is not asked for: a checkout without a commit yet still has its folder.
      git(folder, settings.branch === undefined ? ['rev-parse', '--show-prefix', '--abbrev-ref', 'HEAD'] : ['rev-parse', '--show-prefix']),
    ]);
    const lines = revParse.replace(/\n$/, '').split('\n');
    const branch = settings.branch ?? (lines.pop() ?? '').trim();
    const repository = remote.trim().replaceAll('git@github.com:', 'https://github.com/');
    const base = lines
      .join('\n')
      .trim()
      .replace(/^\/+|\/+$/g, '');
    return `${repository}/tree/${branch}/${base}/`;
  } catch {
    return `file://${folder}/`;
  }
}

/** git's output in `cwd`; rejects when git fails or is missing, or (as markmaker's ASCII decoding does) on non-ASCII. */
async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execGit('git', args, { cwd, encoding: 'utf8', timeout: 10_000 });
  if (/[^\x00-\x7f]/.test(stdout)) throw new Error(`git ${args.join(' ')}: not ASCII`);
  return stdout;
}
