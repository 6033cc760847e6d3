// Runs the benchmarks and writes their figures to docs/benchmarks.md. Numbers depend on the machine: the file
// says which one, and each section names its peer, measured in the same run.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchDeck } from './deck.ts';
import { benchPresentation } from './presentation.ts';
import { benchChecks } from './checks.ts';
import { benchTerminals } from './terminals.ts';

const suites: Record<string, () => Promise<string>> = {
  'Deck engine': benchDeck,
  'Presentation in the browser': benchPresentation,
  'Exercise checks': benchChecks,
  'Embedded terminals': benchTerminals,
};

const sections: string[] = [];
for (const [title, run] of Object.entries(suites)) {
  process.stderr.write(`bench: ${title}...\n`);
  // One suite failing (a peer that will not install, an engine that is down) must not lose the others' figures.
  const body = await run().catch((error: unknown) => `**Not measured in this run**: ${(error as Error).stack ?? String(error)}`);
  sections.push(`## ${title}\n\n${body}\n`);
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
