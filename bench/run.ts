// Runs the benchmarks and writes their figures to docs/benchmarks.md. Numbers depend on the machine: the file
// says which one, and each section names its peer, measured in the same run.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchDeck } from './deck.ts';

const suites: Record<string, () => Promise<string>> = {
  'Deck engine': benchDeck,
};

const sections: string[] = [];
for (const [title, run] of Object.entries(suites)) {
  process.stderr.write(`bench: ${title}...\n`);
  sections.push(`## ${title}\n\n${await run()}\n`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const text = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${machine}). Re-run it to refresh;`,
  'figures vary with the load of the machine: compare rows of one run, not across runs.',
  '',
  ...sections,
].join('\n');
writeFileSync(fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url)), text);
process.stdout.write(text);
