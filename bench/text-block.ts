// The terminal benchmarks' payload: one MiB of numbered text lines (catted, parsed in the page, recorded).

/** Exactly 1 MiB, ending with a line feed so that what is printed after a `cat` of it starts a line. */
export function mebibyteOfLines(): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 1024 * 1024; i++) {
    const line = `${String(i).padStart(6, '0')} the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ\n`;
    lines.push(line);
    size += line.length;
  }
  return `${lines.join('').slice(0, 1024 * 1024 - 1)}\n`;
}
