// highlight.js languages are loaded when a code block names one (code-blocks.ts, highlight-languages.ts): the
// table matches the installed highlight.js, the results are the full build's, and rendering loads only what it uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { highlightJsLanguages, highlightJsVersion } from '../../src/deck/highlight-languages.ts';

const require = createRequire(import.meta.url);
const child = fileURLToPath(new URL('./highlight/child.ts', import.meta.url));
const runChild = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

test('the language table is the installed highlight.js full build: names, aliases, order', { timeout: 30_000 }, () => {
  assert.equal(highlightJsVersion, (require('highlight.js/package.json') as { version: string }).version, 'regenerate src/deck/highlight-languages.ts');
  const index = readFileSync(join(dirname(require.resolve('highlight.js/package.json')), 'lib', 'index.js'), 'utf8');
  const registrations = [...index.matchAll(/registerLanguage\('([^']+)', require\('\.\/languages\/([^']+)'\)\)/g)];
  assert.ok(registrations.length > 150, `registrations found in highlight.js/lib/index.js: ${registrations.length}`);
  // Calling a language's definition returns its grammar without registering it (the core stays empty here).
  const core = require('highlight.js/lib/core') as object;
  const installed = registrations.map(([, name, file]) => {
    assert.equal(name, file, 'code-blocks.ts loads a language by its name');
    const grammar = (require(`highlight.js/lib/languages/${file}`) as (hljs: object) => { aliases?: string[] })(core);
    return [name, grammar.aliases ?? []];
  });
  assert.deepEqual(highlightJsLanguages, installed);
});

test('languages loaded on demand highlight every name and alias exactly as the full build', { timeout: 120_000 }, () => {
  const onDemand = JSON.parse(runChild(child)) as [string, unknown][];
  const full = JSON.parse(runChild(child, 'full')) as [string, unknown][];
  assert.equal(onDemand.length, full.length);
  assert.ok(full.filter(([, result]) => result !== null).length > 300, 'most classes name a language');
  for (let i = 0; i < full.length; i++) assert.deepEqual(onDemand[i], full[i], `class ${full[i]![0]}`);
});

test('rendering a deck loads only the highlight.js languages its code blocks name (and what they embed)', { timeout: 60_000 }, () => {
  const script = `
    import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
    const { renderMarkdownDeck } = await import(${JSON.stringify(new URL('../../src/deck/render-deck.ts', import.meta.url).href)});
    const { slides } = renderMarkdownDeck('# Run\\n\\n\`\`\`bash\\necho hi\\n\`\`\`\\n\\n---\\n\\n\`\`\`unknown\\nx\\n\`\`\`\\n');
    if (!slides[0].html.includes('hljs')) throw new Error('not highlighted: ' + slides[0].html);
    const cache = createRequire(import.meta.url).cache;
    console.log(JSON.stringify(Object.keys(cache).filter((path) => path.includes('/highlight.js/lib/languages/')).map((path) => path.split('/').pop())));`;
  const loaded = JSON.parse(runChild('--input-type=module', '-e', script).trim().split('\n').pop()!) as string[];
  assert.deepEqual(loaded, ['bash.js']);
});
