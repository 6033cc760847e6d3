// The text of each page of a PDF as Chromium (Skia) writes it, for tests that check what a printout holds: pages in
// order from the page tree, their content streams inflated, every string shown (Tj, TJ) decoded through its font's
// ToUnicode map, one line per text object. Enough for Skia's output (uncompressed objects, fonts with ToUnicode), not
// a general PDF reader.
import { inflateSync } from 'node:zlib';

interface PdfObject {
  readonly dict: string;
  readonly stream?: Buffer;
}

export function pdfText(pdf: Buffer): string[] {
  const objects = readObjects(pdf);
  const catalog = [...objects.values()].find((object) => /\/Type\s*\/Catalog\b/.test(object.dict));
  const root = referenceIn(catalog?.dict ?? '', 'Pages');
  if (root === undefined) throw new Error('no page tree in this PDF');
  const fonts = new Map<number, Map<number, string> & { bytes?: number }>();
  return pageObjects(objects, root).map((page) => {
    const resources = resolveDict(objects, page.dict, 'Resources');
    const fontNames = new Map<string, number>();
    const fontDict = /\/Font\s*<<([^>]*)>>/.exec(resources)?.[1] ?? '';
    for (const match of fontDict.matchAll(/\/([^\s/]+)\s+(\d+)\s+0\s+R/g)) fontNames.set(match[1] ?? '', Number(match[2]));
    const contents = /\/Contents\s*(?:\[([^\]]*)\]|(\d+)\s+0\s+R)/.exec(page.dict);
    const streams = [...(contents?.[1] ?? `${contents?.[2]} 0 R`).matchAll(/(\d+)\s+0\s+R/g)].map((match) => objects.get(Number(match[1]))?.stream);
    const text = streams.map((stream) => (stream ? showText(stream.toString('latin1'), (name) => fontMap(objects, fonts, fontNames.get(name))) : '')).join('\n');
    return text;
  });
}

function readObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  for (const match of text.matchAll(/(?:^|\n)(\d+) 0 obj\b/g)) {
    const start = match.index + match[0].length;
    const end = text.indexOf('endobj', start);
    const body = text.slice(start, end);
    const streamAt = /stream\r?\n/.exec(body);
    if (!streamAt) {
      objects.set(Number(match[1]), { dict: body });
      continue;
    }
    const dict = body.slice(0, streamAt.index);
    const length = Number(/\/Length\s+(\d+)(?!\s+0\s+R)/.exec(dict)?.[1] ?? body.indexOf('endstream') - streamAt.index - streamAt[0].length);
    const from = start + streamAt.index + streamAt[0].length;
    const raw = pdf.subarray(from, from + length);
    objects.set(Number(match[1]), { dict, stream: /\/FlateDecode/.test(dict) ? inflateSync(raw) : raw });
  }
  return objects;
}

function referenceIn(dict: string, key: string): number | undefined {
  const match = new RegExp(`/${key}\\s+(\\d+)\\s+0\\s+R`).exec(dict);
  return match ? Number(match[1]) : undefined;
}

/** A dictionary value that is either written inline (`<< ... >>`, one level of nesting) or a reference. */
function resolveDict(objects: Map<number, PdfObject>, dict: string, key: string): string {
  const reference = referenceIn(dict, key);
  if (reference !== undefined) return objects.get(reference)?.dict ?? '';
  const at = dict.indexOf(`/${key}`);
  if (at < 0) return '';
  let depth = 0;
  let i = dict.indexOf('<<', at);
  const start = i;
  for (; i < dict.length; i++) {
    if (dict.startsWith('<<', i)) {
      depth += 1;
      i += 1;
    } else if (dict.startsWith('>>', i)) {
      depth -= 1;
      i += 1;
      if (depth === 0) break;
    }
  }
  return dict.slice(start, i + 1);
}

function pageObjects(objects: Map<number, PdfObject>, node: number): PdfObject[] {
  const object = objects.get(node);
  if (!object) return [];
  if (/\/Type\s*\/Pages\b/.test(object.dict)) {
    const kids = /\/Kids\s*\[([^\]]*)\]/.exec(object.dict)?.[1] ?? '';
    return [...kids.matchAll(/(\d+)\s+0\s+R/g)].flatMap((match) => pageObjects(objects, Number(match[1])));
  }
  return [object];
}

/** A font's codes → text, from its ToUnicode CMap (bfchar and bfrange), and how many bytes make one code. */
function fontMap(
  objects: Map<number, PdfObject>,
  cache: Map<number, Map<number, string> & { bytes?: number }>,
  font: number | undefined,
): (Map<number, string> & { bytes?: number }) | undefined {
  if (font === undefined) return undefined;
  const cached = cache.get(font);
  if (cached) return cached;
  const cmap = objects.get(referenceIn(objects.get(font)?.dict ?? '', 'ToUnicode') ?? -1)?.stream?.toString('latin1') ?? '';
  const map: Map<number, string> & { bytes?: number } = new Map();
  map.bytes = ((/begincodespacerange\s*<([0-9A-Fa-f]+)>/.exec(cmap)?.[1] ?? '0000').length / 2) | 0 || 2;
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const pair of (block[1] ?? '').matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(pair[1] ?? '', 16), utf16(pair[2] ?? ''));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const range of (block[1] ?? '').matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(?:<([0-9A-Fa-f]+)>|\[([^\]]*)\])/g)) {
      const low = parseInt(range[1] ?? '', 16);
      const high = parseInt(range[2] ?? '', 16);
      const list = range[4] ? [...range[4].matchAll(/<([0-9A-Fa-f]+)>/g)].map((m) => utf16(m[1] ?? '')) : undefined;
      const base = parseInt(range[3] ?? '0', 16);
      for (let code = low; code <= high; code++) map.set(code, list ? (list[code - low] ?? '') : String.fromCodePoint(base + code - low));
    }
  }
  cache.set(font, map);
  return map;
}

function utf16(hex: string): string {
  const units: number[] = [];
  for (let i = 0; i < hex.length; i += 4) units.push(parseInt(hex.slice(i, i + 4), 16));
  return String.fromCharCode(...units);
}

/** The strings a content stream shows, decoded with the font selected at each point; a line per text object. */
function showText(content: string, fontOf: (name: string) => (Map<number, string> & { bytes?: number }) | undefined): string {
  let font: (Map<number, string> & { bytes?: number }) | undefined;
  let out = '';
  const decode = (hex: string): string => {
    const bytes = font?.bytes ?? 2;
    let text = '';
    for (let i = 0; i + bytes * 2 <= hex.length; i += bytes * 2) text += font?.get(parseInt(hex.slice(i, i + bytes * 2), 16)) ?? '';
    return text;
  };
  for (const token of content.matchAll(/\/([^\s/<[(]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[((?:[^\]])*)\]\s*TJ|\bET\b/g)) {
    if (token[1] !== undefined) font = fontOf(token[1]);
    else if (token[2] !== undefined) out += decode(token[2]);
    else if (token[3] !== undefined) out += [...token[3].matchAll(/<([0-9A-Fa-f]*)>/g)].map((m) => decode(m[1] ?? '')).join('');
    else out += '\n';
  }
  return out;
}
