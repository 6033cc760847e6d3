// The one door to the `yaml` package (test/architecture.test.ts keeps it so): every YAML reader (workshop.yml and its
// keys, check specs, attendees files) parses here, so that a node's `file:line` is computed one way. Pure: the
// readers read the files. It lives in config/ because that is where most readers are; checks/ and environments/
// import it too (config/ imports neither, so no folder cycle).
import { LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import { elementAt, LabdeckError, type SourceLocation } from '../errors.ts';

export { isMap, isScalar, isSeq, Scalar } from 'yaml';
export type { Node as YamlNode, Pair, YAMLMap } from 'yaml';

/** Anything the parser may have given a position: a node, or nothing (then line 1). */
export type Positioned = { range?: readonly number[] | null } | null | undefined;

/** A node → where it is written. */
export type Locate = (node: Positioned) => SourceLocation;

export interface YamlSyntaxError {
  /** The parser's message (without a position: that is `location`). */
  readonly message: string;
  /** Where a person must look to fix it. */
  readonly location: SourceLocation;
}

export interface YamlSource {
  readonly file: string;
  /** The document's top node; null for an empty document. */
  readonly root: Node | null;
  /** In text order; when there are any, `root` is what the parser made of the text anyway. */
  readonly syntaxErrors: readonly YamlSyntaxError[];
  readonly locate: Locate;
  /** Throws `file:line: message`, at the node's line. */
  fail(message: string, node: Positioned): never;
}

/** Parses YAML text; `file` names it in locations. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const locate: Locate = (node) => ({ file, line: node?.range ? lineAt(elementAt(node.range, 0)) : 1 });
  return {
    file,
    root: document.contents as Node | null,
    syntaxErrors: document.errors.map((error) => ({ message: error.message, location: { file, line: lineAt(syntaxErrorOffset(document, error)) } })),
    locate,
    fail(message, node) {
      throw new LabdeckError(message, locate(node));
    },
  };
}

/**
 * Where a person must look for a YAML syntax error. The parser reports a quote left open at the end of the file,
 * where it gave up; the fix is where the quoted string starts, the line of the quote.
 */
function syntaxErrorOffset(document: Document, error: YAMLError): number {
  if (error.code !== 'MISSING_CHAR' || !/closing .?quote/.test(error.message)) return error.pos[0];
  let opening = error.pos[0];
  visit(document, {
    Scalar(_key, node) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if (quoted && node.range && node.range[1] === error.pos[0]) opening = node.range[0];
    },
  });
  return opening;
}
