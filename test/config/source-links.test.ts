// Where slide footers link to, read from real git checkouts as markmaker.py reads them (test/conformance/
// markmaker.test.ts runs markmaker.py itself on the fixture deck; these are the cases around it).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { openRenderCache } from '../../src/workshop/render-cache.ts';
import { sourceLinkPrefix } from '../../src/workshop/source-links.ts';
import { runLabdeck } from '../cli/run-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'labdeck-source-links-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };

/** A checkout in `scratch/name` on `branch` with a `slides/` folder holding a small workshop; `remote` as origin. */
function checkout(name: string, options: { remote?: string; branch?: string; commit?: boolean }): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'slides'), { recursive: true });
  writeFileSync(join(root, 'slides/workshop.yml'), 'title: T\ncontent:\n- a.md\n');
  writeFileSync(join(root, 'slides/a.md'), 'A\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: { ...process.env, ...identity }, stdio: 'ignore' });
  git('init', '--quiet', `--initial-branch=${options.branch ?? 'main'}`);
  if (options.remote !== undefined) git('remote', 'add', 'origin', options.remote);
  if (options.commit !== false) {
    git('add', '--all');
    git('commit', '--quiet', '--no-gpg-sign', '-m', 'deck');
  }
  return root;
}

test('a checkout: remote, branch and the folder within the checkout; git@github.com: becomes https://github.com/', { timeout: 20_000 }, async () => {
  const root = checkout('ssh-remote', { remote: 'git@github.com:someone/training.git', branch: 'class-2026' });
  assert.equal(await sourceLinkPrefix(join(root, 'slides')), 'https://github.com/someone/training.git/tree/class-2026/slides/');
  // At the root of the checkout the folder is empty: markmaker writes `//` there.
  assert.equal(await sourceLinkPrefix(root), 'https://github.com/someone/training.git/tree/class-2026//');
});

test('REPOSITORY_URL and BRANCH win over the checkout; the folder still comes from git', { timeout: 20_000 }, async () => {
  const root = checkout('overrides', { remote: 'https://example.org/a.git' });
  assert.equal(await sourceLinkPrefix(join(root, 'slides'), { repositoryUrl: ' git@github.com:fork/x \n', branch: 'b' }), 'https://github.com/fork/x/tree/b/slides/');
  // BRANCH set, git is not asked for HEAD: a checkout without a commit yet still gives its folder.
  const noCommit = checkout('overrides-no-commit', { commit: false });
  assert.equal(await sourceLinkPrefix(join(noCommit, 'slides'), { repositoryUrl: 'https://example.org/b.git', branch: 'b' }), 'https://example.org/b.git/tree/b/slides/');
});

test('file://<the manifest folder>/ where git cannot tell: no remote, no commit, not a checkout', { timeout: 20_000 }, async () => {
  const noRemote = checkout('no-remote', {});
  assert.equal(await sourceLinkPrefix(join(noRemote, 'slides')), `file://${join(noRemote, 'slides')}/`);
  const noCommit = checkout('no-commit', { remote: 'https://example.org/a.git', commit: false });
  assert.equal(await sourceLinkPrefix(join(noCommit, 'slides')), `file://${join(noCommit, 'slides')}/`, 'HEAD names no commit yet');
  const plain = join(scratch, 'plain');
  mkdirSync(plain);
  assert.equal(await sourceLinkPrefix(plain, { repositoryUrl: 'https://example.org/a', branch: 'main' }), `file://${plain}/`, 'even with both overrides');
});

test('an answer is kept only while the checkout is unchanged: a switch, a new remote, a first commit, a nested checkout show at the next read', {
  timeout: 30_000,
}, async () => {
  const root = checkout('changes', { remote: 'https://example.org/a.git' });
  const slides = join(root, 'slides');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, ...identity }, stdio: 'ignore' });
  assert.equal(await sourceLinkPrefix(slides), 'https://example.org/a.git/tree/main/slides/');
  assert.equal(await sourceLinkPrefix(slides), 'https://example.org/a.git/tree/main/slides/', 'read again, unchanged');
  git(root, 'switch', '--quiet', '-c', 'mai2'); // a name of the same length: HEAD keeps its size
  assert.equal(await sourceLinkPrefix(slides), 'https://example.org/a.git/tree/mai2/slides/');
  git(root, 'remote', 'set-url', 'origin', 'https://example.org/b.git');
  assert.equal(await sourceLinkPrefix(slides), 'https://example.org/b.git/tree/mai2/slides/');
  assert.equal(await sourceLinkPrefix(slides, { branch: 'class' }), 'https://example.org/b.git/tree/class/slides/', 'other settings');
  git(slides, 'init', '--quiet', '--initial-branch=main');
  assert.equal(await sourceLinkPrefix(slides), `file://${slides}/`, 'the manifest folder made a checkout of its own (no remote)');

  const empty = checkout('first-commit', { remote: 'https://example.org/c.git', commit: false });
  assert.equal(await sourceLinkPrefix(join(empty, 'slides')), `file://${join(empty, 'slides')}/`);
  git(empty, 'add', '--all');
  git(empty, 'commit', '--quiet', '--no-gpg-sign', '-m', 'deck');
  assert.equal(await sourceLinkPrefix(join(empty, 'slides')), 'https://example.org/c.git/tree/main/slides/', 'a fallback is not kept');
});

test('labdeck slides: the footers link where the repository settings of the command line say', { timeout: 60_000 }, async () => {
  const root = checkout('cli', { remote: 'https://example.org/origin.git' });
  const manifest = join(root, 'slides/workshop.yml');
  const footerLink = async (repository?: { repositoryUrl?: string; branch?: string }) => {
    const run = await runLabdeck(['slides', manifest, '--json'], { repository });
    assert.equal(run.code, 0, run.stderr);
    const slides = JSON.parse(run.stdout) as { html: string }[];
    return /<a href="([^"]*)">a\.md<\/a>/.exec(slides[0]?.html ?? '')?.[1];
  };
  assert.equal(await footerLink(), 'https://example.org/origin.git/tree/main/slides/a.md');
  assert.equal(await footerLink({ repositoryUrl: 'https://example.org/fork', branch: 'class' }), 'https://example.org/fork/tree/class/slides/a.md');
});

test('the render cache never hands back a deck whose footers link elsewhere: the links are in its key', { timeout: 60_000 }, async () => {
  const root = checkout('cached', { remote: 'https://example.org/origin.git' });
  const manifest = join(root, 'slides/workshop.yml');
  const cache = openRenderCache(join(scratch, 'render-cache'));
  const footer = async (branch?: string) => (await loadDeck(manifest, {}, cache, { branch })).deck.slides[0]?.html;
  assert.match((await footer()) ?? '', /tree\/main\/slides\/a\.md/);
  assert.match((await footer('other')) ?? '', /tree\/other\/slides\/a\.md/);
  assert.match((await footer()) ?? '', /tree\/main\/slides\/a\.md/);
});

test('outside a checkout the file:// footer links lose their target in the slides: no path of this machine reaches a page', { timeout: 60_000 }, async () => {
  const root = checkout('local-only', {});
  const { source, deck } = await loadDeck(join(root, 'slides/workshop.yml'));
  assert.ok(source.markdown.includes(`.debug[[a.md](file://${join(root, 'slides')}/a.md)]`), 'assembled as markmaker.py does');
  const html = deck.slides.map((slide) => slide.html).join('\n');
  assert.match(html, /<a>a\.md<\/a>/);
  assert.ok(!html.includes(root), 'the sanitizer keeps no file: URL');
});
