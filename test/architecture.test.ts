// Keeps the dependency rules of the README's architecture section true, from the real import graph of src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const srcRoot = resolve(import.meta.dirname, '../src');

interface SourceFile {
  path: string; // relative to src/, with forward slashes
  text: string;
  localImports: string[]; // relative to src/
  packageImports: string[];
}

/** Matches of several patterns, in the order they occur in the text. */
function inOrder(found: Array<{ index: number; values: string[] }>): string[] {
  return found.sort((a, b) => a.index - b.index).flatMap((match) => match.values);
}

const quoted = `['"\`]([^'"\`]+)['"\`]`;

/**
 * Every module a source text loads: `import … from`, `export … from`, side-effect `import 'x'`, `import('x')`,
 * `require('x')`, and calls of a require function made by `createRequire` (under any name, or called at once).
 * A regular expression scan, not a parser: comments and strings that look like these count too (stricter is safe).
 */
function moduleSpecifiers(text: string): string[] {
  const loaders = ['require', ...[...text.matchAll(/\b(?:const|let|var)\s+([\w$]+)\s*=\s*createRequire\s*\(/g)].map((m) => m[1]!)];
  const patterns = [
    /(?:^|\n)\s*(?:import|export)\b[^'"`]*?\bfrom\s*['"`]([^'"`]+)['"`]/g,
    /(?:^|\n|;)\s*import\s*['"`]([^'"`]+)['"`]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    new RegExp(`(?<![\\w$.])(?:${loaders.map((name) => name.replace(/\$/g, '\\$')).join('|')})\\s*\\(\\s*${quoted}\\s*\\)`, 'g'),
    new RegExp(`\\bcreateRequire\\s*\\([^()]*\\)\\s*\\(\\s*${quoted}\\s*\\)`, 'g'),
  ];
  return inOrder(patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => ({ index: m.index, values: [m[1]!] }))));
}

/** Keys named in a destructuring or import list (`a, b: c, 'd': e, f as g`); `...rest` takes every key. */
function listedKeys(list: string, names: readonly string[]): string[] {
  return list.split(',').flatMap((entry) => {
    if (entry.trim().startsWith('...')) return [...names];
    const key = /^\s*(?:['"`]([\w$]+)['"`]|([\w$]+))/.exec(entry);
    return key ? [key[1] ?? key[2]!] : [];
  });
}

/**
 * The properties of `process` among `names` that a source text reads: `process.env`, `process?.env`,
 * `process['env']`, `const { env } = process` (renamed, quoted, `...rest`, through `globalThis.process`), and
 * `import { env } from 'node:process'` or a default/namespace import of that module used as `p.env`.
 */
function processReads(text: string, names: readonly string[]): string[] {
  const processModule = `['"\`](?:node:)?process['"\`]`;
  const aliases = ['process', ...[...text.matchAll(new RegExp(`\\bimport\\s+(?:\\*\\s*as\\s+)?([\\w$]+)\\s+from\\s*${processModule}`, 'g'))].map((m) => m[1]!)];
  const object = `(?<![\\w$])(?:${aliases.map((name) => name.replace(/\$/g, '\\$')).join('|')})`;
  const found: Array<{ index: number; values: string[] }> = [];
  const add = (pattern: RegExp, keys: (match: RegExpMatchArray) => string[]) => {
    for (const match of text.matchAll(pattern)) found.push({ index: match.index!, values: keys(match) });
  };
  add(new RegExp(`${object}\\s*\\??\\.\\s*([\\w$]+)`, 'g'), (m) => [m[1]!]);
  add(new RegExp(`${object}\\s*(?:\\?\\.)?\\[\\s*${quoted}\\s*\\]`, 'g'), (m) => [m[1]!]);
  add(new RegExp(`\\{([^{}]*)\\}\\s*=\\s*(?:globalThis\\s*\\.\\s*)?${object}(?![\\w$]|\\s*(?:\\?\\.|\\.|\\[))`, 'g'), (m) => listedKeys(m[1]!, names));
  add(new RegExp(`\\bimport\\s*\\{([^{}]*)\\}\\s*from\\s*${processModule}`, 'g'), (m) => listedKeys(m[1]!, names));
  return inOrder(found).filter((name) => names.includes(name));
}

function collect(dir: string, files: SourceFile[] = []): SourceFile[] {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) collect(full, files);
    else if (entry.endsWith('.ts')) {
      const text = readFileSync(full, 'utf8');
      const specifiers = moduleSpecifiers(text);
      files.push({
        path: relative(srcRoot, full).split('\\').join('/'),
        text,
        localImports: specifiers
          .filter((s) => s.startsWith('.'))
          .map((s) =>
            relative(srcRoot, resolve(dirname(full), s))
              .split('\\')
              .join('/'),
          ),
        packageImports: specifiers.filter((s) => !s.startsWith('.')).map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)),
      });
    }
  }
  return files;
}

const files = collect(srcRoot);
const io = /^(node:)?(fs|net|http|https|child_process|dgram|tls|os|process|worker_threads)$/;

test('the pure core (deck/, checks/evaluate, protocol.ts) does no I/O and depends on no other top-level module', () => {
  const pure = files.filter((f) => f.path.startsWith('deck/') || f.path === 'checks/evaluate.ts' || f.path === 'protocol.ts');
  assert.ok(pure.length > 0);
  for (const file of pure) {
    for (const name of file.packageImports) assert.doesNotMatch(name, io, `${file.path} imports ${name}`);
    for (const target of file.localImports) {
      const allowed =
        target.startsWith(file.path.split('/')[0] + '/') || target === 'protocol.ts' || target === 'errors.ts' || target === 'event.ts' || target.startsWith('text/');
      assert.ok(allowed, `${file.path} imports ${target}`);
    }
    assert.deepEqual(processReads(file.text, ['env', 'argv', 'cwd']), [], `${file.path} reads the process environment`);
  }
});

test('protocol.ts, errors.ts and event.ts import nothing (so that the pure core may use them)', { timeout: 5_000 }, () => {
  for (const path of ['protocol.ts', 'errors.ts', 'event.ts']) {
    const file = files.find((f) => f.path === path);
    assert.ok(file, `src/${path} exists`);
    assert.deepEqual([...file.localImports, ...file.packageImports], [], `${path} imports nothing`);
  }
});

test('each external system has exactly one door', () => {
  const doors: Record<string, (path: string) => boolean> = {
    dockerode: (p) => p.startsWith('engine/'),
    ssh2: (p) => p.startsWith('engine/'),
    'node-pty': (p) => p.startsWith('terminal/'),
    'better-sqlite3': (p) => p.startsWith('progress/'),
    express: (p) => p.startsWith('http/'),
    ws: (p) => p.startsWith('http/'),
    unified: (p) => p === 'deck/render.ts',
    remark: (p) => p === 'deck/render.ts',
    'remark-html': (p) => p === 'deck/render.ts',
    'remark-gfm': (p) => p === 'deck/render.ts',
    yaml: (p) => p === 'config/yaml-source.ts',
  };
  for (const file of files) {
    for (const name of file.packageImports) {
      const door = doors[name];
      if (door) assert.ok(door(file.path), `${file.path} imports ${name}, whose door is elsewhere`);
    }
  }
});

test('only cli.ts reads argv and the environment', () => {
  for (const file of files.filter((f) => f.path !== 'cli.ts' && !f.path.startsWith('client/'))) {
    assert.deepEqual(processReads(file.text, ['argv', 'env']), [], `${file.path} reads process.argv/env`);
  }
});

test('browser code imports nothing from the server but protocol.ts', () => {
  for (const file of files.filter((f) => f.path.startsWith('client/'))) {
    for (const target of file.localImports) {
      // Stylesheets (`import '../../public/dashboard.css'`, bundled by esbuild) are assets, not server code.
      const asset = target.endsWith('.css');
      assert.ok(target.startsWith('client/') || target === 'protocol.ts' || asset, `${file.path} imports ${target}`);
    }
  }
});

test('there are no import cycles', () => {
  const graph = new Map(files.map((f) => [f.path, f.localImports.filter((t) => t.endsWith('.ts'))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    assert.notEqual(state.get(node), 'visiting', `import cycle: ${[...trail, node].join(' → ')}`);
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
});

/** The folder a file of src/ belongs to (`http/`), or the file itself for a root file (`cli.ts`). */
const folderOf = (path: string): string => (path.includes('/') ? `${path.split('/')[0]}/` : path);

/**
 * Imports between folders that the rules below still allow, as `importer → imported` file pairs. Each is a debt to
 * pay, not a pattern to follow: remove it from here when it is gone. None is left.
 */
const knownFolderDebts = new Set<string>([]);

/** Imports of one folder's files by another's, without the known debts. */
function folderEdges(): Array<{ from: string; to: string; pair: string }> {
  return files.flatMap((file) =>
    file.localImports
      .filter((target) => target.endsWith('.ts') && folderOf(target) !== folderOf(file.path))
      .map((target) => ({ from: folderOf(file.path), to: folderOf(target), pair: `${file.path} → ${target}` }))
      .filter((edge) => !knownFolderDebts.has(edge.pair)),
  );
}

test("no folder but commands/ imports http/ (domain code does not borrow the web layer's types)", { timeout: 5_000 }, () => {
  const borrowers = folderEdges().filter((edge) => edge.to === 'http/' && edge.from !== 'http/' && edge.from !== 'commands/');
  assert.deepEqual(
    borrowers.map((edge) => edge.pair),
    [],
  );
});

test('there are no import cycles between folders', { timeout: 5_000 }, () => {
  const edges = folderEdges();
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) graph.set(edge.from, (graph.get(edge.from) ?? new Set()).add(edge.to));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(node)), node];
      const pairs = cycle.slice(1).map((to, i) =>
        edges
          .filter((e) => e.from === cycle[i] && e.to === to)
          .map((e) => e.pair)
          .join(', '),
      );
      assert.fail(`folder cycle ${cycle.join(' → ')}: ${pairs.join('; ')}`);
    }
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  for (const debt of knownFolderDebts) {
    assert.ok(
      files.some((f) => f.localImports.some((t) => `${f.path} → ${t}` === debt)),
      `the known debt ${debt} is gone: remove it from the list`,
    );
  }
});

test('outside deck/, the deck engine is reached through deck/index.ts, not its parser, model, renderer or linter', { timeout: 5_000 }, () => {
  const internals = ['deck/split.ts', 'deck/slideshow.ts', 'deck/source-map.ts', 'deck/render.ts', 'deck/lint.ts'];
  const reaching = files
    .filter((file) => !file.path.startsWith('deck/'))
    .flatMap((file) => file.localImports.filter((target) => internals.includes(target)).map((target) => `${file.path} → ${target}`));
  assert.deepEqual(reaching, []);
});

test('the chapter tree (groups of entries) is walked in one place: deck/manifest.ts', { timeout: 5_000 }, () => {
  const walkers = files.filter((file) => file.path !== 'deck/manifest.ts' && /\.kind\s*===\s*'group'/.test(file.text)).map((file) => file.path);
  assert.deepEqual(walkers, []);
});

test('the parser sees every form of loading a module', { timeout: 5_000 }, () => {
  const seen = (text: string) => moduleSpecifiers(text);
  assert.deepEqual(seen("import x from 'a';\nexport { y } from './b.ts';\nconst c = await import('c');"), ['a', './b.ts', 'c']);
  assert.deepEqual(seen("import 'side-effect';\nimport './local.ts';"), ['side-effect', './local.ts'], 'side-effect imports');
  assert.deepEqual(seen('const pty = require(\'node-pty\');\nrequire ( "ws" );'), ['node-pty', 'ws'], 'require()');
  assert.deepEqual(
    seen("import { createRequire } from 'node:module';\nconst load = createRequire(import.meta.url);\nconst d = load('dockerode');"),
    ['node:module', 'dockerode'],
    'a require function made by createRequire, under any name',
  );
  assert.deepEqual(seen("const e = createRequire(import.meta.url)('express');"), ['express'], 'createRequire called at once');
  assert.deepEqual(seen("const text = 'no import here'; // nor require here"), []);
});

test('the parser sees every form of reading process.env and process.argv', { timeout: 5_000 }, () => {
  const reads = (text: string) => processReads(text, ['env', 'argv']);
  assert.deepEqual(reads('const port = process.env.PORT;'), ['env']);
  assert.deepEqual(reads('const { env } = process;'), ['env'], 'destructured');
  assert.deepEqual(reads('const { argv: args, env: environment } = process;'), ['argv', 'env'], 'destructured and renamed');
  assert.deepEqual(reads("let { 'env': e } = globalThis.process;"), ['env'], 'destructured with a quoted key');
  assert.deepEqual(reads('const e = process[\'env\'];\nconst a = process["argv"];'), ['env', 'argv'], 'bracket access');
  assert.deepEqual(reads('const e = process?.env;'), ['env'], 'optional chaining');
  assert.deepEqual(reads("import { env } from 'node:process';\nimport { argv as a } from 'process';"), ['env', 'argv'], 'named imports');
  assert.deepEqual(reads("import * as proc from 'node:process';\nconst a = proc.argv;"), ['argv'], 'namespace import');
  assert.deepEqual(reads('const { ...everything } = process;'), ['env', 'argv'], 'rest of process');
  assert.deepEqual(reads('const { pid } = process; process.exitCode = 1; const { HOME } = process.env;'), ['env']);
  assert.deepEqual(reads('const { pid } = process; process.exitCode = 1;'), []);
});
