// Where a slide's `.debug[...]` footer links to: its source file in the deck's repository, found as
// container.training's markmaker.py finds it, from the git checkout the manifest is in. The git reads are the I/O;
// deck/manifest.ts only joins the prefix found here with each file's path.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

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
 */
export function sourceLinkPrefix(manifestDir: string, settings: RepositorySettings = {}): string {
  const folder = resolve(manifestDir);
  try {
    const repository = (settings.repositoryUrl ?? git(folder, ['config', 'remote.origin.url'])).trim().replaceAll('git@github.com:', 'https://github.com/');
    const branch = settings.branch ?? git(folder, ['rev-parse', '--abbrev-ref', 'HEAD']).trim();
    const base = git(folder, ['rev-parse', '--show-prefix'])
      .trim()
      .replace(/^\/+|\/+$/g, '');
    return `${repository}/tree/${branch}/${base}/`;
  } catch {
    return `file://${folder}/`;
  }
}

/** git's output in `cwd`; throws when git fails or is missing, or (as markmaker's ASCII decoding does) on non-ASCII. */
function git(cwd: string, args: readonly string[]): string {
  const output = execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  if (/[^\x00-\x7f]/.test(output)) throw new Error(`git ${args.join(' ')}: not ASCII`);
  return output;
}
