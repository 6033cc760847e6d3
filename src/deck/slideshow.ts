// remark.js 0.14.1's slideshow model (models/slideshow.js createSlides + models/slide.js), with container.training's
// fork: layouts, templates, `--` increments, {{variables}}, slide numbers, and excludedClasses. Reference: remark.js
// 0.14.1's src/remark/models/ (https://github.com/gnab/remark), the fork (https://github.com/jpetazzo/container.training)
// and docs/conformance.md.
import { elementAt } from '../errors.ts';
import type { ContentNode, ModelSlide, ParsedDeck, ParsedSlide, SlideshowOptions } from './types.ts';

/** remark keeps notes as the parsed array, or '' when there are none; inheritance turns them into one string. */
type Notes = ContentNode[] | string;

/** The mutable state of remark's Slide object while slides are built. */
interface SlideState {
  readonly properties: Record<string, string>;
  content: ContentNode[];
  notes: Notes;
}

function deepCopy(nodes: readonly ContentNode[]): ContentNode[] {
  return nodes.map((node) => (typeof node === 'string' ? node : { classes: node.classes, block: node.block, content: deepCopy(node.content) }));
}

/** Coercion to string as JavaScript does it: arrays join with ',' and content classes become '[object Object]'. */
function jsString(value: Notes | ContentNode[]): string {
  return String(value);
}

const VARIABLE = /(\\)?(\{\{([^}\n]+)\}\})/g;

type VariableReplacer = (match: string, escaped: string | undefined, braced: string, name: string) => string;

function replaceInStrings(nodes: ContentNode[], replacer: VariableReplacer): void {
  for (let i = 0; i < nodes.length; i++) {
    const node = elementAt(nodes, i);
    if (typeof node === 'string') nodes[i] = node.replace(VARIABLE, replacer);
    else replaceInStrings(node.content, replacer);
  }
}

function inheritProperties(slide: SlideState, template: SlideState): void {
  for (const [key, value] of Object.entries(template.properties)) {
    if (key === 'name' || key === 'layout' || key === 'count') continue;
    const own = slide.properties[key];
    if (key === 'class') slide.properties[key] = own ? `${value}, ${own}` : value;
    else if (own === undefined) slide.properties[key] = value;
  }
}

/**
 * A copy of the template's content, with `{{content}}` replaced by the slide's own content coerced to a string
 * (remark's `[object Object]` bug included), or the own content appended when there is no placeholder.
 */
function inheritContent(slide: SlideState, template: SlideState): void {
  const own = slide.content;
  const merged = deepCopy(template.content);
  let placeholderFound = false;
  replaceInStrings(merged, (match, escaped, _braced, name) => {
    // remark returns match[0], a lone backslash, for an escaped variable here: `\{{x}}` in a template renders `\`.
    if (escaped) return elementAt(match, 0);
    if (name.trim() !== 'content') return match;
    placeholderFound = true;
    return jsString(own);
  });
  slide.content = placeholderFound ? merged : merged.concat(own);
  // remark passes the own content through a `content` property it deletes afterwards, taking a real one with it.
  delete slide.properties.content;
}

function inheritNotes(slide: SlideState, template: SlideState): void {
  // An empty array is truthy: a template with a bare `???` still prefixes '\n\n'.
  if (template.notes === '') return;
  slide.notes = `${jsString(template.notes)}\n\n${jsString(slide.notes)}`;
}

/** The final `{{name}}` pass over a shown slide's content (never its notes). */
function expandVariables(slide: SlideState): void {
  replaceInStrings(slide.content, (_match, escaped, braced, name) => {
    if (escaped) return braced;
    const key = name.trim();
    const value = Object.hasOwn(slide.properties, key) ? slide.properties[key] : undefined;
    if (value !== undefined) return value;
    return key === 'content' ? '' : braced;
  });
}

function notesAsContent(notes: Notes): ContentNode[] {
  if (typeof notes !== 'string') return deepCopy(notes);
  return notes === '' ? [] : [notes];
}

function isExcluded(properties: Record<string, string>, excludedClasses: readonly string[]): boolean {
  // container.training's fork: after inheritance, and split on ", " only (so "a,b" is one class here).
  return (properties.class ?? '').split(', ').some((name) => excludedClasses.includes(name));
}

interface ShownSlide {
  readonly state: SlideState;
  readonly parsed: ParsedSlide;
}

/** remark.js 0.14.1 createSlides (+ the fork's excludedClasses): the slides that are shown, in order. */
export function buildSlideshow(deck: ParsedDeck, options: SlideshowOptions): ModelSlide[] {
  const shown: ShownSlide[] = [];
  const byName = new Map<string, SlideState>();
  let layout: SlideState | undefined;

  deck.slides.forEach((parsed, index) => {
    const properties = { ...parsed.properties };
    const continued = properties.continued === 'true';
    // remark's else-if chain: continuation > template: > layout: false > current layout. So `template:` together
    // with `layout: false` keeps the layout, and an increment with no shown slide before it gets no template at all.
    let template: SlideState | undefined;
    if (continued && index > 0) {
      template = shown[shown.length - 1]?.state;
    } else if (properties.template !== undefined && byName.has(properties.template)) {
      template = byName.get(properties.template);
    } else if (properties.layout === 'false') {
      layout = undefined;
    } else if (layout && properties.layout !== 'true') {
      template = layout;
    }

    if (continued && !options.countIncrementalSlides && properties.count === undefined) properties.count = 'false';

    const state: SlideState = { properties, content: deepCopy(parsed.content), notes: parsed.notes ?? '' };
    if (template) {
      inheritProperties(state, template);
      inheritContent(state, template);
      inheritNotes(state, template);
    }
    if (properties.layout === 'true') layout = state;
    if (properties.name) byName.set(properties.name, state);
    if (properties.layout !== 'true' && !isExcluded(properties, options.excludedClasses)) {
      shown.push({ state, parsed });
    }
  });

  // Variables are expanded only once every slide is built: increments copy their predecessor's content unexpanded.
  for (const { state } of shown) expandVariables(state);

  let counted = 0;
  return shown.map(({ state, parsed }, index) => {
    if (state.properties.count !== 'false') counted += 1;
    return {
      position: index + 1,
      number: Math.max(1, counted),
      name: state.properties.name,
      classes: (state.properties.class ?? '').split(/,| /).filter((name) => name !== ''),
      properties: state.properties,
      content: state.content,
      ownContent: deepCopy(parsed.content),
      notes: notesAsContent(state.notes),
      continued: state.properties.continued === 'true',
      line: parsed.line,
    };
  });
}
