// Compares two slide lists (remark.js's and labdeck's) slide by slide, after normalisation, and says where the
// first difference of each slide is in terms a person can act on.
import { canonicalHtml, canonicalNode, normalizeHtml, type NormalNode } from './normalize.ts';

/** What both sides provide: labdeck's RenderedSlide and the reference's ReferenceSlide both fit. */
export interface ComparableSlide {
  readonly name: string | undefined;
  readonly classes: readonly string[];
  readonly numberText: string;
  readonly continued: boolean;
  readonly html: string;
  readonly notesHtml: string;
}

export type SlideField = 'slide' | 'name' | 'classes' | 'numberText' | 'continued' | 'html' | 'notesHtml';

export interface SlideDifference {
  readonly field: SlideField;
  /** Where inside the field's HTML tree the first difference is (`''` for plain fields). */
  readonly path: string;
  readonly expected: string;
  readonly actual: string;
}

export interface SlideComparison {
  /** 1-based position in the lists. */
  readonly position: number;
  readonly equal: boolean;
  readonly differences: readonly SlideDifference[];
}

export interface DeckComparison {
  readonly expectedCount: number;
  readonly actualCount: number;
  /** max(expectedCount, actualCount): a missing or extra slide counts as one unequal slide. */
  readonly total: number;
  readonly equal: number;
  readonly slides: readonly SlideComparison[];
}

const snippetLength = 160;

function snippet(text: string): string {
  return text.length > snippetLength ? `${text.slice(0, snippetLength)}…` : text;
}

/** The DOM's classList de-duplicates, so `class: a, a` and `a` show the same slide. */
function slideClasses(classes: readonly string[]): string {
  return [...new Set(classes)].join(' ');
}

function elementLabel(node: NormalNode): string {
  if (typeof node === 'string') return '#text';
  const classes = node.attributes.find(([name]) => name === 'class')?.[1];
  return classes ? `${node.tag}.${classes.split(' ').join('.')}` : node.tag;
}

/** 1-based rank of `nodes[index]` among its siblings of the same kind (elements, or text nodes), as in XPath. */
function ordinal(nodes: readonly NormalNode[], index: number): number {
  const isText = typeof nodes[index] === 'string';
  return nodes.slice(0, index + 1).filter((node) => (typeof node === 'string') === isText).length;
}

/** First place where two canonical trees differ, as a path like `div.exercise[1] > ul[1] > li[2] > #text[1]`. */
export function firstTreeDifference(
  expected: readonly NormalNode[],
  actual: readonly NormalNode[],
  path: readonly string[] = [],
): { path: string; expected: string; actual: string } | null {
  const length = Math.max(expected.length, actual.length);
  for (let index = 0; index < length; index++) {
    const left = expected[index];
    const right = actual[index];
    // Named after the expected side when it has a node there, else after the extra node of the actual side.
    const step = left !== undefined ? `${elementLabel(left)}[${ordinal(expected, index)}]` : `${elementLabel(right!)}[${ordinal(actual, index)}]`;
    const found = (at: NormalNode | undefined, other: NormalNode | undefined) => ({
      path: [...path, step].join(' > '),
      expected: at === undefined ? '(nothing)' : snippet(canonicalNode(at)),
      actual: other === undefined ? '(nothing)' : snippet(canonicalNode(other)),
    });
    if (left === undefined || right === undefined) return found(left, right);
    if (typeof left === 'string' || typeof right === 'string') {
      if (left !== right) return found(left, right);
      continue;
    }
    if (left.tag !== right.tag || JSON.stringify(left.attributes) !== JSON.stringify(right.attributes)) {
      return found(left, right);
    }
    const inner = firstTreeDifference(left.children, right.children, [...path, step]);
    if (inner) return inner;
  }
  return null;
}

function compareHtml(field: 'html' | 'notesHtml', expected: string, actual: string): SlideDifference | null {
  const left = normalizeHtml(expected);
  const right = normalizeHtml(actual);
  if (canonicalHtml(left) === canonicalHtml(right)) return null;
  const difference = firstTreeDifference(left, right);
  // The canonical strings differ, so the trees do too; the fallback only guards against a bug in the walk.
  return { field, ...(difference ?? { path: '', expected: snippet(canonicalHtml(left)), actual: snippet(canonicalHtml(right)) }) };
}

export function compareSlides(expected: ComparableSlide, actual: ComparableSlide): SlideDifference[] {
  const differences: SlideDifference[] = [];
  const plain = (field: SlideField, left: string, right: string) => {
    if (left !== right) differences.push({ field, path: '', expected: left, actual: right });
  };
  plain('name', expected.name ?? '(none)', actual.name ?? '(none)');
  plain('classes', slideClasses(expected.classes), slideClasses(actual.classes));
  plain('numberText', expected.numberText, actual.numberText);
  plain('continued', String(expected.continued), String(actual.continued));
  for (const field of ['html', 'notesHtml'] as const) {
    const difference = compareHtml(field, expected[field], actual[field]);
    if (difference) differences.push(difference);
  }
  return differences;
}

export function compareSlideLists(expected: readonly ComparableSlide[], actual: readonly ComparableSlide[]): DeckComparison {
  const total = Math.max(expected.length, actual.length);
  const slides: SlideComparison[] = [];
  for (let index = 0; index < total; index++) {
    const left = expected[index];
    const right = actual[index];
    const differences =
      left && right
        ? compareSlides(left, right)
        : [{ field: 'slide' as const, path: '', expected: left ? 'present' : '(missing)', actual: right ? 'present' : '(missing)' }];
    slides.push({ position: index + 1, equal: differences.length === 0, differences });
  }
  return {
    expectedCount: expected.length,
    actualCount: actual.length,
    total,
    equal: slides.filter((slide) => slide.equal).length,
    slides,
  };
}

export function percent(equal: number, total: number): string {
  return total === 0 ? '100.0%' : `${((100 * equal) / total).toFixed(1)}%`;
}

/** `equal/total (percent)` */
export function summary(comparison: Pick<DeckComparison, 'equal' | 'total'>): string {
  return `${comparison.equal}/${comparison.total} (${percent(comparison.equal, comparison.total)})`;
}

/** A readable report of the differing slides (at most `limit` of them), for assertion messages. */
export function describeDifferences(comparison: DeckComparison, limit = 5): string {
  const lines: string[] = [`equal slides: ${summary(comparison)}`];
  if (comparison.expectedCount !== comparison.actualCount) {
    lines.push(`slide count: remark.js ${comparison.expectedCount}, labdeck ${comparison.actualCount}`);
  }
  const differing = comparison.slides.filter((slide) => !slide.equal);
  for (const slide of differing.slice(0, limit)) {
    lines.push(`slide ${slide.position}:`);
    for (const difference of slide.differences) {
      const where = difference.path ? ` at ${difference.path}` : '';
      lines.push(`  ${difference.field}${where}`);
      lines.push(`    remark.js: ${difference.expected}`);
      lines.push(`    labdeck:   ${difference.actual}`);
    }
  }
  if (differing.length > limit) lines.push(`… and ${differing.length - limit} more differing slides`);
  return lines.join('\n');
}
