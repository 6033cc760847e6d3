// Text to match literally inside a RegExp built at run time (commands, paths, names). Pure, imports nothing: the pure
// core may use it (test/architecture.test.ts).

/** `text` with every RegExp syntax character escaped, so that it matches itself (with or without the `u` flag). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
