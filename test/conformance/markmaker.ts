// The assembly side of the reference: container.training's own markmaker.py (test/fixtures/container-training/
// markmaker/, Apache-2.0), run as container.training's build runs it: from the `slides/` folder of a git checkout
// that holds the manifest, the chapters, markmaker.py, workshop.html and interstitials.txt, with
// `python3 markmaker.py deck.yml > deck.html`. Its footers link to the checkout's remote, branch and folder, so the
// checkout is a real one (git init, a remote, a branch, a commit); its commit is deterministic (fixed author and
// dates), so the build banner, and with it the reference cache key, is the same from one run to the next.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const fixtureDeckDir = resolve(import.meta.dirname, '../fixtures/container-training');
const markmakerDir = join(fixtureDeckDir, 'markmaker');
const markmakerFiles = ['markmaker.py', 'workshop.html', 'interstitials.txt'];

/** What markmaker's page hands remark.js: the markdown of the textarea and the `excludedClasses` option. */
export interface MarkmakerOutput {
  readonly markdown: string;
  readonly excludedClasses: string[];
}

export interface Checkout {
  /** The repository's root folder. */
  readonly root: string;
  /** Its `slides/` folder: the manifest, the chapters and markmaker's files. */
  readonly slides: string;
  dispose(): Promise<void>;
}

/** Fixed identity and dates: the same files give the same commit hash, run after run. */
const commitEnv = {
  GIT_AUTHOR_NAME: 'labdeck conformance',
  GIT_AUTHOR_EMAIL: 'conformance@labdeck.invalid',
  GIT_COMMITTER_NAME: 'labdeck conformance',
  GIT_COMMITTER_EMAIL: 'conformance@labdeck.invalid',
  GIT_AUTHOR_DATE: '2021-12-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2021-12-01T00:00:00Z',
};

/**
 * A copy of the fixture deck with markmaker's files beside it, in `<tmp>/container.training/slides/`: a git checkout on
 * `branch` with `remote` as origin (no `git` at all when `remote` is undefined: a deck outside any checkout).
 */
export async function fixtureCheckout(options: { remote?: string; branch?: string } = {}): Promise<Checkout> {
  const parent = await mkdtemp(join(tmpdir(), 'labdeck-markmaker-'));
  const root = join(parent, 'container.training');
  const slides = join(root, 'slides');
  await mkdir(slides, { recursive: true });
  for (const entry of await readdir(fixtureDeckDir)) {
    if (entry === 'markmaker' || entry === 'swarm-halfday.assembled.txt') continue;
    await cp(join(fixtureDeckDir, entry), join(slides, entry), { recursive: true });
  }
  for (const file of markmakerFiles) await cp(join(markmakerDir, file), join(slides, file));
  if (options.remote !== undefined) {
    const git = (...args: string[]) => run('git', args, { cwd: root, env: { ...process.env, ...commitEnv } });
    await git('init', '--quiet', `--initial-branch=${options.branch ?? 'main'}`);
    await git('remote', 'add', 'origin', options.remote);
    await git('add', '--all');
    await git('commit', '--quiet', '--no-gpg-sign', '--message', 'container.training fixture deck');
  }
  return { root, slides, dispose: () => rm(parent, { recursive: true, force: true }) };
}

/**
 * `python3 markmaker.py <manifest>` in `dir`, with `env` added to an environment cleared of what markmaker reads
 * (REPOSITORY_URL, BRANCH, OVERRIDE_*): the page it writes, reduced to what remark.js gets from it.
 */
export async function runMarkmaker(dir: string, manifest: string, env: Record<string, string> = {}): Promise<MarkmakerOutput> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'REPOSITORY_URL' && name !== 'BRANCH' && !name.startsWith('OVERRIDE_') && name !== 'LOG_LEVEL'),
  );
  let html: string;
  try {
    ({ stdout: html } = await run('python3', ['markmaker.py', manifest], { cwd: dir, env: { ...inherited, PWD: dir, ...env }, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`markmaker.py failed in ${dir} (it needs Python 3 with PyYAML: scripts/provision.sh installs python3-yaml): ${(error as Error).message}\n${stderr}`);
  }
  return pageInputs(html);
}

/** The textarea's markdown (pasted raw by markmaker) and the excluded classes of a markmaker page. */
export function pageInputs(html: string): MarkmakerOutput {
  const open = '<textarea id="source">';
  const start = html.indexOf(open);
  const end = html.indexOf('</textarea>', start);
  const exclude = /excludedClasses: \[(.*)\]/.exec(html);
  if (start < 0 || end < 0 || !exclude) throw new Error(`not a markmaker page: ${html.slice(0, 200)}`);
  return { markdown: html.slice(start + open.length, end), excludedClasses: JSON.parse(`[${exclude[1]}]`) as string[] };
}

/**
 * markmaker's build banner: the output of `git status --porcelain` in a code block and "These slides have been built
 * from commit: <hash>" (with the newline git ends it with) and a blank line, put at the start of the deck's first `.debug[`
 * footer. labdeck leaves it out (a README
 * deliberate difference).
 */
const buildBanner = /\.debug\[\n```\n[\s\S]*?\n```\n\nThese slides have been built from commit: [^\n]*\n+/;

/** The markdown without the build banner; throws unless there is one, at the first `.debug[`. */
export function withoutBuildBanner(markdown: string): string {
  const match = buildBanner.exec(markdown);
  if (!match || match.index !== markdown.indexOf('.debug[')) throw new Error('markmaker output without its build banner at the first .debug[ footer');
  return markdown.slice(0, match.index) + '.debug[' + markdown.slice(match.index + match[0].length);
}
