// Child process of highlight-languages.test.ts: highlights one sample under every language name and alias, either
// through code-blocks.ts (languages loaded on demand) or as code-blocks.ts did with highlight.js's full build
// (`full`), and prints the results as JSON. A process of its own: both share highlight.js's one core instance.
import { createRequire } from 'node:module';
import { highlightJsLanguages } from '../../../src/deck/highlight-languages.ts';

const sample = [
  '<html><script>var x = 1; // comment</script><style>a { color: red }</style><?php echo "hi"; ?></html>',
  'GET /index.html HTTP/1.1',
  'Content-Type: application/json',
  '',
  '{"key": [1, 2.5, true, null], "s": "text"}',
  '$ echo "hello $USER" | grep -v x # done',
  'def f(x): return x + 1',
  'SELECT * FROM t WHERE a = 1;',
].join('\n');

// http embeds "any language": it goes last, after which every language is registered.
const order = [...highlightJsLanguages].sort(([a], [b]) => Number(a === 'http') - Number(b === 'http'));
const classes = order.flatMap(([name, aliases]) => [name, ...aliases, name.toUpperCase()]);

type Highlight = (text: string, className: string) => { html: string; classNames: string[] } | undefined;

async function fullBuild(): Promise<Highlight> {
  const hljs = createRequire(import.meta.url)('highlight.js') as typeof import('highlight.js').default;
  const canonical = new Map<object, string>();
  for (const name of hljs.listLanguages()) canonical.set(hljs.getLanguage(name)!, name);
  // code-blocks.ts's highlightCode before languages were loaded on demand.
  return (text, className) => {
    const name = className.trim();
    if (name === '' || /\s/.test(name) || /^(no-?highlight|plain|text)$/i.test(name)) return undefined;
    const language = hljs.getLanguage(name);
    if (!language) return undefined;
    const html = hljs.highlight(text, { language: name, ignoreIllegals: true }).value;
    const classNames = [name, 'hljs'];
    const canonicalName = canonical.get(language);
    if (canonicalName && !name.includes(canonicalName)) classNames.push(canonicalName);
    return { html, classNames };
  };
}

const highlight: Highlight = process.argv[2] === 'full' ? await fullBuild() : (await import('../../../src/deck/code-blocks.ts')).highlightCode;
const results = classes.map((className) => [className, highlight(sample, className) ?? null]);
process.stdout.write(JSON.stringify(results));
