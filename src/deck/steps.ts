// Hands-on steps: every list item of a hands-on block (`.exercise[` / `.lab[` by default) becomes a Step that the
// terminal and check features can drive: what to do (text), what to run (commands) and the hidden directives that
// container.training's autotester reads from HTML comments (`<!-- ```wait Ready``` -->`).
//
// Decisions:
// - Only the slide's *own* content is read, so a `--` increment that repeats the block does not repeat its steps.
// - Commands are the fenced blocks labelled bash, sh or shell. An unlabelled fence is "shown, not run", as in
//   container.training; other languages (yaml, json, ...) are file contents, not commands.
// - In a command, highlight backticks (remark's highlightSpans) are removed and `\`-continued lines are joined; one
//   string per fenced block, so multi-line shell constructs stay whole.
// - A directive belongs to the step it follows (those before the first step belong to the first step);
//   `afterCommands` keeps its order relative to the step's commands.
// - Ids are `<slide name or nearest heading>.<hash of the step's text and commands>` (+ `-2`, `-3` for exact
//   duplicates), so they survive edits anywhere else in the deck.
import type { ContentNode, ModelSlide, RenderedSlide } from './types.ts';
import { elementAt, type SourceLocation } from '../errors.ts';
import type { StepDirectiveJson, StepJson } from '../protocol.ts';

export const directiveKinds = ['wait', 'longwait', 'keys', 'key', 'bash', 'copy', 'paste', 'copypaste', 'tmux', 'open', 'hide'] as const;
export type DirectiveKind = (typeof directiveKinds)[number];

/** A directive as the wire format has it (protocol.ts), its kind one of directiveKinds. */
export interface Directive extends StepDirectiveJson {
  readonly kind: DirectiveKind;
}

/** A step as the wire format has it (protocol.ts StepJson: the fields are documented there), with typed directives. */
export interface Step extends StepJson {
  readonly directives: readonly Directive[];
  /**
   * Line of the list item's bullet. Exact when the slide's properties (`name:`, `class:`) are on consecutive lines;
   * blank lines between properties shift it (the remark.js parser does not keep them).
   */
  readonly source: SourceLocation;
}

const shellLanguages = new Set(['bash', 'sh', 'shell']);

export function extractSteps(model: ModelSlide[], rendered: RenderedSlide[], handsOnClasses: readonly string[]): Step[] {
  const steps: Step[] = [];
  const seen = new Map<string, number>();
  let lastHeading: string | undefined;
  model.forEach((slide, i) => {
    lastHeading = firstHeading(serialize(slide.content)) ?? lastHeading;
    const context = slug(slide.name ?? lastHeading ?? 'deck');
    const start = rendered[i]?.source ?? { file: '<deck>', line: slide.line };
    const lineShift = slide.continued ? 0 : Math.max(0, Object.keys(slide.properties).filter((key) => key !== 'continued').length - 1);
    let index = 0;
    for (const block of handsOnBlocks(slide.ownContent, handsOnClasses)) {
      for (const item of parseHandsOnBlock(block.markdown)) {
        const base = `${context}.${hash(`${item.text}\n${item.commands.join('\n')}`)}`;
        const count = (seen.get(base) ?? 0) + 1;
        seen.set(base, count);
        steps.push({
          id: count === 1 ? base : `${base}-${count}`,
          slide: slide.position,
          index: index++,
          text: item.text,
          commands: item.commands,
          directives: item.directives,
          source: { file: start.file, line: start.line + lineShift + block.line + item.line },
        });
      }
    }
  });
  return steps;
}

/** Content nodes back to the markdown they were written as (content classes keep their brackets). */
export function serialize(nodes: readonly ContentNode[]): string {
  return nodes.map((node) => (typeof node === 'string' ? node : `.${node.classes.join('.')}[${serialize(node.content)}]`)).join('');
}

export interface HandsOnBlock {
  /** The text between the brackets. */
  readonly markdown: string;
  /** 0-based line of the block's first text line, relative to the start of the content. */
  readonly line: number;
}

/** Hands-on content classes, outermost only, in order. */
export function handsOnBlocks(nodes: readonly ContentNode[], handsOnClasses: readonly string[]): HandsOnBlock[] {
  const blocks: HandsOnBlock[] = [];
  let line = 0;
  const walk = (children: readonly ContentNode[]): void => {
    for (const node of children) {
      if (typeof node === 'string') {
        line += countLines(node);
      } else if (node.classes.some((name) => handsOnClasses.includes(name))) {
        const markdown = serialize(node.content);
        blocks.push({ markdown, line });
        line += countLines(markdown);
      } else {
        walk(node.content);
      }
    }
  };
  walk(nodes);
  return blocks;
}

export interface HandsOnItem {
  readonly text: string;
  readonly commands: string[];
  readonly directives: Directive[];
  /** 0-based line of the bullet within the block. */
  readonly line: number;
}

/** The list items of a hands-on block's markdown. */
export function parseHandsOnBlock(markdown: string): HandsOnItem[] {
  const items: { line: number; text: string[]; commands: string[]; directives: Directive[] }[] = [];
  const leading: Directive[] = [];
  let bulletIndent: number | undefined;
  let fence: { marker: string; indent: number; language: string; lines: string[] } | undefined;
  let comment: string[] | undefined;

  const current = () => items[items.length - 1];
  const addDirectives = (body: string) => {
    const target = current();
    for (const match of body.matchAll(/```(\w+)([\s\S]*?)```/g)) {
      const kind = match[1] as DirectiveKind;
      if (!directiveKinds.includes(kind)) continue;
      const directive = { kind, argument: elementAt(match, 2).trim(), afterCommands: target?.commands.length ?? 0 };
      (target ? target.directives : leading).push(directive);
    }
  };

  markdown.split('\n').forEach((line, i) => {
    if (fence) {
      if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, '') === '') {
        if (shellLanguages.has(fence.language)) current()?.commands.push(cleanCommand(fence.lines.join('\n')));
        fence = undefined;
      } else {
        fence.lines.push(line.slice(Math.min(fence.indent, line.length - line.trimStart().length)));
      }
      return;
    }
    let rest = line;
    let visible = '';
    // Comments may open and close several times on one line, or span lines.
    while (rest !== '') {
      if (comment) {
        const end = rest.indexOf('-->');
        if (end < 0) {
          comment.push(rest);
          rest = '';
        } else {
          comment.push(rest.slice(0, end));
          addDirectives(comment.join('\n'));
          comment = undefined;
          rest = rest.slice(end + 3);
        }
      } else {
        const start = rest.indexOf('<!--');
        if (start < 0) {
          visible += rest;
          rest = '';
        } else {
          visible += rest.slice(0, start);
          comment = [];
          rest = rest.slice(start + 4);
        }
      }
    }
    if (comment && !visible.trim()) return;
    const bullet = /^(\s*)(?:[-*+]|\d+[.)])(?:\s+|$)(.*)$/.exec(visible);
    const indent = bullet?.[1]?.length ?? 0;
    if (bullet && (bulletIndent === undefined || indent <= bulletIndent)) {
      bulletIndent = indent;
      items.push({ line: i, text: [elementAt(bullet, 2)], commands: [], directives: [] });
      return;
    }
    const opening = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(visible);
    const marker = opening && elementAt(opening, 2);
    if (opening && marker && !visible.slice(opening[0].length).includes(marker)) {
      fence = { marker, indent: elementAt(opening, 1).length, language: elementAt(opening, 3).toLowerCase(), lines: [] };
      return;
    }
    current()?.text.push(visible);
  });

  return items.map((item, i) => ({
    text: plainText(item.text.join('\n')),
    commands: item.commands,
    directives: i === 0 ? [...leading, ...item.directives] : item.directives,
    line: item.line,
  }));
}

function cleanCommand(code: string): string {
  return code
    .replace(/`([^`\n]*)`/g, '$1')
    .replace(/[ \t]*\\\n[ \t]*/g, ' ')
    .replace(/\s+$/, '');
}

/** Markdown to the text a person reads: links, emphasis, inline code and content classes reduced to their text. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\.[\w-]+(?:\.[\w-]+)*\[/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/(\*\*|__|\*|`)/g, '')
    .replace(/\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function firstHeading(markdown: string): string | undefined {
  const match = /^#{1,6}[ \t]+(.+)$/m.exec(markdown);
  return match ? plainText(elementAt(match, 1)) : undefined;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40)
      .replace(/-$/, '') || 'slide'
  );
}

/** FNV-1a, 32 bits: short, stable, and enough to tell the steps of one slide apart. */
function hash(text: string): string {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value.toString(16).padStart(8, '0');
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
