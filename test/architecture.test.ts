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

function collect(dir: string, files: SourceFile[] = []): SourceFile[] {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) collect(full, files);
    else if (entry.endsWith('.ts')) {
      const text = readFileSync(full, 'utf8');
      const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
        .map((match) => match[1] ?? match[2]!);
      files.push({
        path: relative(srcRoot, full).split('\\').join('/'),
        text,
        localImports: specifiers.filter((s) => s.startsWith('.')).map((s) => relative(srcRoot, resolve(dirname(full), s)).split('\\').join('/')),
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
      const allowed = target.startsWith(file.path.split('/')[0] + '/') || target === 'protocol.ts' || target === 'errors.ts';
      assert.ok(allowed, `${file.path} imports ${target}`);
    }
    assert.doesNotMatch(file.text, /\bprocess\.(env|argv|cwd)\b/, `${file.path} reads the process environment`);
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
    assert.doesNotMatch(file.text, /\bprocess\.(argv|env)\b/, `${file.path} reads process.argv/env`);
  }
});

test('browser code imports nothing from the server but protocol.ts', () => {
  for (const file of files.filter((f) => f.path.startsWith('client/'))) {
    for (const target of file.localImports) {
      assert.ok(target.startsWith('client/') || target === 'protocol.ts', `${file.path} imports ${target}`);
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
