// Every limit a terminal enforces, with its default, in one place.

export interface TerminalLimits {
  /** Running terminals per attendee (a page reload reuses them; new names count). */
  readonly maxTerminalsPerAttendee: number;
  readonly maxViewersPerTerminal: number;
  /** Sustained input per viewer; a paste up to `inputBurstBytes` goes through at once. */
  readonly inputBytesPerSecond: number;
  readonly inputBurstBytes: number;
  /** Geometry requests are clamped into these bounds. */
  readonly minCols: number;
  readonly maxCols: number;
  readonly minRows: number;
  readonly maxRows: number;
  /**
   * Bounds of each consumer's window of unacknowledged output (flow-control.ts); HIGH is also where a watcher falls
   * behind, LOW where it is repainted.
   */
  readonly highWatermark: number;
  readonly lowWatermark: number;
  /**
   * How far behind (its own parse time) a read-write viewer may fall: how late a key typed during a flood is echoed.
   * Not Ctrl-C's: an interrupt skips the backlog (docs/protocol.md, "Interrupts skip ahead").
   */
  readonly targetLagMs: number;
  /**
   * Output (characters) the server's mirror may hold unparsed before the PTY pauses; more than the mirror's batch
   * (screen-mirror.ts). It bounds memory only: viewers never wait for the mirror.
   */
  readonly mirrorWindow: number;
  /** A read-write viewer that keeps the PTY paused this long without acking is repainted later instead. */
  readonly stallTimeoutMs: number;
  /** How long a terminal nobody watches keeps running. */
  readonly graceMs: number;
  /** Lines of history the mirror keeps and repaints. */
  readonly scrollback: number;
}

export const DEFAULT_TERMINAL_LIMITS: TerminalLimits = Object.freeze({
  maxTerminalsPerAttendee: 4,
  maxViewersPerTerminal: 16,
  inputBytesPerSecond: 16 * 1024,
  inputBurstBytes: 64 * 1024,
  minCols: 10,
  maxCols: 400,
  minRows: 4,
  maxRows: 200,
  // Large windows: each WebSocket message costs the server, the browser and the page far more than its bytes, and a
  // page waiting for data renders more frames per byte (a 16 MiB `cat`: +18% over 1 MiB / 250 ms, median of 6 runs).
  highWatermark: 4 * 1024 * 1024,
  // The measured rate includes every fixed delay of the round trip (the page's frames, the network, the PTY): with a
  // small floor and lag, a loaded machine shrank the window until the browser starved (half idle during a `cat`).
  lowWatermark: 64 * 1024,
  targetLagMs: 1000,
  mirrorWindow: 2 * 1024 * 1024,
  stallTimeoutMs: 5_000,
  graceMs: 30 * 60_000,
  scrollback: 1000,
});

export function clampGeometry(limits: TerminalLimits, cols: number, rows: number): { cols: number; rows: number } {
  const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));
  return { cols: clamp(cols, limits.minCols, limits.maxCols), rows: clamp(rows, limits.minRows, limits.maxRows) };
}
