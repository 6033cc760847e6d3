// Where a slide's `.debug[...]` footer links to: its source file in the deck's repository, found as
// container.training's markmaker.py finds it, from the git checkout the manifest is in. The git reads are the I/O;
// deck/manifest.ts only joins the prefix found here with each file's path.
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
 * Two git processes, run side by side without blocking: the remote's, and one `rev-parse` for the folder, the branch
 * and where the checkout keeps them (markmaker runs three one after the other). A process the size of `serve` takes
 * tens of ms to start each (it is forked), so an answer is kept for the next load while the files git read it from
 * are unchanged (see `readStamp`): `git switch`, `git remote set-url` and the like rewrite them.
 */
export async function sourceLinkPrefix(manifestDir: string, settings: RepositorySettings = {}): Promise<string> {
  const folder = resolve(manifestDir);
  const settingsKey = JSON.stringify([settings.repositoryUrl ?? null, settings.branch ?? null]);
  const kept = keptReads.get(folder);
  if (kept?.settingsKey === settingsKey && kept.stamp() === kept.stamped) return kept.prefix;
  keptReads.delete(folder);
  try {
    const [remote, revParse] = await Promise.all([
      settings.repositoryUrl ?? git(folder, ['config', 'remote.origin.url']).then(ascii),
      // With BRANCH set, HEAD is not asked for: a checkout without a commit yet still has its folder.
      git(folder, ['rev-parse', '--show-prefix', ...(settings.branch === undefined ? ['--abbrev-ref', 'HEAD'] : []), '--absolute-git-dir', '--git-common-dir']),
    ]);
    const lines = revParse.replace(/\n$/, '').split('\n');
    const commonDir = resolve(folder, lines.pop() ?? '');
    const gitDir = lines.pop() ?? '';
    const branch = settings.branch ?? ascii(lines.pop() ?? '').trim();
    const repository = remote.trim().replaceAll('git@github.com:', 'https://github.com/');
    const base = ascii(lines.join('\n'))
      .trim()
      .replace(/^\/+|\/+$/g, '');
    const prefix = `${repository}/tree/${branch}/${base}/`;
    const stamp = readStamp(folder, base, gitDir, commonDir, settings.repositoryUrl === undefined);
    if (stamp) keptReads.set(folder, { settingsKey, prefix, stamp, stamped: stamp() });
    return prefix;
  } catch {
    return `file://${folder}/`;
  }
}

/** A prefix read from git, for a manifest folder: kept while `stamp()` gives `stamped` and the settings are the same. */
interface KeptRead {
  readonly settingsKey: string;
  readonly prefix: string;
  readonly stamp: () => string;
  readonly stamped: string;
}

/** By manifest folder. Only answers read from git are kept: a fallback (`file://`) is asked again at every load. */
const keptReads = new Map<string, KeptRead>();

/**
 * What the answer was read from, as one string that changes when any of it does (inode, size, times): HEAD (the
 * branch), the checkout's config and its worktree config (the remote), and `.git` in each folder from the manifest's up
 * to the checkout's top (one made there starts another checkout). Undefined, nothing kept, when the remote may come
 * from elsewhere: a config that includes other files, or no origin of its own (a global or system config's).
 */
function readStamp(folder: string, base: string, gitDir: string, commonDir: string, remoteFromGit: boolean): (() => string) | undefined {
  const config = join(commonDir, 'config');
  if (remoteFromGit) {
    let text: string;
    try {
      text = readFileSync(config, 'utf8');
    } catch {
      return undefined;
    }
    if (!/^\s*\[\s*remote\s+"origin"\s*\]/im.test(text) || /^\s*\[\s*include/im.test(text)) return undefined;
  }
  const depth = base === '' ? 0 : base.split('/').length;
  const between = Array.from({ length: depth }, (_, up) => join(folder, ...Array<string>(up).fill('..'), '.git'));
  const files = [join(gitDir, 'HEAD'), config, join(gitDir, 'config.worktree'), ...between];
  return () => files.map(fileStamp).join('|');
}

function fileStamp(path: string): string {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return '-';
  }
}

/** git's output in `cwd`; rejects when git fails or is missing. */
async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execGit('git', args, { cwd, encoding: 'utf8', timeout: 10_000 });
  return stdout;
}

/** What markmaker reads of git, decoded as ASCII as markmaker decodes it: anything else throws. */
function ascii(text: string): string {
  if (/[^\x00-\x7f]/.test(text)) throw new Error('git output is not ASCII');
  return text;
}
