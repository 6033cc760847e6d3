// `labdeck lint` checks mermaid diagrams with mermaid's own parser (`mermaid.parse`), in Node: the same grammars the
// page draws with, for every diagram type (@mermaid-js/parser covers only the few langium-based ones, not flowcharts
// or sequence diagrams). mermaid is loaded only for a deck that has diagrams: it takes about a second to import.
//
// The one part of the browser that parsing touches is DOMPurify, which mermaid's diagram databases call on every
// label while parsing (and which, without a DOM, has no `sanitize` at all). Lint draws nothing, so the instance
// mermaid imports is given pass-through `sanitize` and `addHook` before mermaid loads; the rest of mermaid's parse
// needs no DOM (measured on flowchart, sequence, class, state, er, gantt, pie, mindmap, timeline, gitGraph,
// architecture and journey diagrams).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, LocatedDiagram } from '../deck/index.ts';

/** Parses a diagram's text; rejects with mermaid's error when the syntax is wrong. */
export type DiagramParser = (text: string) => Promise<unknown>;

/** What mermaid's parsers throw: jison ones give the place in `hash.loc`, langium ones in the message. */
interface ParseError {
  readonly message?: unknown;
  readonly hash?: { readonly loc?: { readonly first_line?: unknown } };
}

/**
 * A diagnostic per diagram mermaid cannot parse, at the line of the chapter where its parser stopped. No diagram:
 * `loadParser` is not called (a deck without diagrams loads nothing).
 */
export async function diagramDiagnostics(diagrams: readonly LocatedDiagram[], loadParser: () => Promise<DiagramParser> = loadMermaidParser): Promise<Diagnostic[]> {
  const first = diagrams[0];
  if (!first) return [];
  let parse: DiagramParser;
  try {
    parse = await loadParser();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ severity: 'warning', location: first.location, message: `mermaid diagrams not checked: mermaid could not be loaded (${reason})` }];
  }
  const diagnostics: Diagnostic[] = [];
  for (const diagram of diagrams) {
    if (diagram.cut) {
      const message = `"${diagram.cut.separator}" inside a mermaid diagram ends the slide there, and the diagram with it (remark.js reads separators everywhere but in code fences): mermaid front matter cannot be used on a slide, a %%{init: ...}%% directive can`;
      diagnostics.push({ severity: 'warning', location: diagram.cut.location, message });
    }
    try {
      await parse(diagram.text);
    } catch (error) {
      const line = diagram.location.line + errorLine(error as ParseError, diagram.text) - 1;
      diagnostics.push({ severity: 'error', location: { file: diagram.location.file, line }, message: `mermaid diagram: ${describeParseError(error as ParseError)}` });
    }
  }
  return diagnostics;
}

/** The 1-based line of the diagram's text where parsing stopped (1 when mermaid does not say). */
function errorLine(error: ParseError, text: string): number {
  const lines = text.split('\n').length;
  const fromHash = error.hash?.loc?.first_line;
  const fromMessage = /\bline (\d+)/.exec(String(error.message ?? ''))?.[1];
  const line = typeof fromHash === 'number' ? fromHash : fromMessage !== undefined ? Number(fromMessage) : 1;
  // (No front matter to count: its `---` lines would end the slide, see the `cut` warning.)
  return Math.min(Math.max(1, line), lines);
}

/**
 * mermaid's message on one line: without jison's quoted context and caret lines, nor the diagram's whole text
 * (which "No diagram type detected" appends).
 */
export function describeParseError(error: ParseError): string {
  const message = String(error.message ?? error);
  const unknownType = /^No diagram type detected[^:]*: *([^\n]*)/.exec(message);
  if (unknownType) return `no diagram type is named by its first line ("${unknownType[1]?.trim()}"): flowchart, sequenceDiagram, classDiagram, ...`;
  const lines = message.split('\n').filter((line) => !/^\.\.\.|^-*\^$/.test(line) && !/^Parse error on line \d+:$/.test(line));
  return lines
    .join(' ')
    .replace(/^Parsing failed:\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** mermaid's `parse`, loaded with the pass-through DOMPurify described at the top. */
async function loadMermaidParser(): Promise<DiagramParser> {
  const mermaidEntry = createRequire(import.meta.url).resolve('mermaid');
  const purify = (await import(pathToFileURL(dompurifyModule(mermaidEntry)).href)) as { default: Record<string, unknown> };
  purify.default.sanitize ??= (dirty: unknown) => String(dirty);
  purify.default.addHook ??= () => {};
  const { default: mermaid } = await import('mermaid');
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
  return (text) => mermaid.parse(text);
}

/**
 * The file of `dompurify` that mermaid's `import DOMPurify from 'dompurify'` loads (so that it is the same module
 * instance): resolved from mermaid's folder, with the package's `import` export.
 */
function dompurifyModule(mermaidEntry: string): string {
  const required = createRequire(mermaidEntry).resolve('dompurify');
  let folder = dirname(required);
  while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) folder = dirname(folder);
  const exports = (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { exports?: { '.'?: { import?: { default?: string } | string } } }).exports?.['.']
    ?.import;
  const entry = typeof exports === 'string' ? exports : exports?.default;
  if (entry === undefined) throw new Error(`${folder}/package.json: no "import" export for dompurify`);
  return join(folder, entry);
}
