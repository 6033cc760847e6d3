// Ack-based flow control between PTY output and its consumers (docs/protocol.md, "Flow control").
// Policy: the mirror and the read-write viewers (owner, instructor) hold the PTY back. Each viewer has a window of
// unacknowledged bytes sized to its own measured parse rate, so that it is never more than about `targetLagMs`
// behind: a fixed byte budget is 0.1 s of `cat` for a fast browser but a second or more of `yes` (a line feed every
// two bytes) for a slow one, and every byte in flight would delay what the user types next (Ctrl-C does not wait for
// them: the viewer skips, see skip()). The window lies between LOW and HIGH. The mirror is not on the viewers' way
// (it parses in batches, behind them), so its window is a fixed `mirrorWindow` that only bounds its memory. The PTY
// is paused when a consumer is above its window and resumed when all are back below a quarter of theirs (LOW at
// least). A watcher never holds the attendee back: above HIGH it stops receiving output ("behind") and, once it has
// caught up below LOW, is repainted from the mirror. A read-write viewer that keeps the PTY paused for
// stallTimeoutMs without acking (a frozen or throttled background tab) is treated the same way.
// An ack counts only bytes that have left the server: a client cannot have parsed what is still in the server's send
// buffer, so whatever it claims, what it has in flight never drops below what the server still holds for it. A client
// that stops reading and acks more than it received therefore keeps its window full (the PTY pauses, or the watcher
// stays behind), its acks teach no rate (its window shrinks to LOW) and are no sign of life (the stall rule drops it).

export interface FlowLimits {
  readonly highWatermark: number;
  readonly lowWatermark: number;
  readonly stallTimeoutMs: number;
  /** How far behind, in its own parse time, a read-write viewer may fall before the PTY pauses. */
  readonly targetLagMs: number;
  /** Characters the mirror may hold unparsed before the PTY pauses. */
  readonly mirrorWindow: number;
}

/** A parse-rate sample needs this much busy time (unacked bytes outstanding), so that one ack is not a rate. */
const RATE_SAMPLE_MS = 50;

interface ConsumerFlow {
  readonly holdsPty: boolean;
  unacked: number;
  behind: boolean;
  lastAckAt: number;
  /** Measured bytes acked per millisecond of busy time; undefined until the first sample. */
  rate: number | undefined;
  busyMs: number;
  busyAcked: number;
  lastChangeAt: number;
}

export interface FlowDecision<V> {
  /** Whether the PTY should be paused now. */
  readonly pause: boolean;
  /** Viewers that caught up after falling behind: send them a snapshot (and count it with `sent`). */
  readonly repaint: readonly V[];
}

export interface FlowStats {
  readonly paused: boolean;
  readonly mirrorPending: number;
  readonly maxUnacked: number;
  readonly behind: number;
}

export class FlowControl<V> {
  private readonly consumers = new Map<V, ConsumerFlow>();
  private readonly mirror: ConsumerFlow;
  private pausedSince: number | undefined;

  constructor(
    private readonly limits: FlowLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.mirror = this.newFlow(true);
  }

  add(viewer: V, holdsPty: boolean): void {
    this.consumers.set(viewer, this.newFlow(holdsPty));
  }

  remove(viewer: V): void {
    this.consumers.delete(viewer);
  }

  /** False while the viewer is behind: its output is skipped, a snapshot will replace it. */
  canSend(viewer: V): boolean {
    return this.consumers.get(viewer)?.behind === false;
  }

  sent(viewer: V, bytes: number): void {
    const flow = this.consumers.get(viewer);
    if (!flow) return;
    this.addUnacked(flow, bytes);
    if (!flow.holdsPty && flow.unacked > this.limits.highWatermark) flow.behind = true;
  }

  /**
   * The viewer dropped the output it had not shown (the user interrupted a flood): like a watcher that fell behind,
   * it gets no more output and no longer holds the PTY, and is repainted once what is in flight is acked.
   */
  skip(viewer: V): void {
    const flow = this.consumers.get(viewer);
    if (flow) flow.behind = true;
  }

  /**
   * The viewer parsed `bytes` more. `undelivered`: bytes the server still holds for it (its socket's send buffer),
   * which it cannot have parsed.
   */
  acked(viewer: V, bytes: number, undelivered = 0): void {
    const flow = this.consumers.get(viewer);
    if (flow) this.removeUnacked(flow, Math.min(bytes, Math.max(0, flow.unacked - undelivered)));
  }

  mirrorWritten(length: number): void {
    this.addUnacked(this.mirror, length);
  }

  mirrorParsed(length: number): void {
    this.removeUnacked(this.mirror, length);
  }

  /** The most a viewer may have in flight before the PTY pauses: its parse rate × targetLagMs, in [LOW, HIGH]. */
  window(viewer: V | 'mirror'): number {
    const flow = viewer === 'mirror' ? this.mirror : this.consumers.get(viewer);
    return flow ? this.windowOf(flow) : this.limits.lowWatermark;
  }

  evaluate(): FlowDecision<V> {
    const { lowWatermark: low, stallTimeoutMs } = this.limits;
    const now = this.now();
    const stalled = this.pausedSince !== undefined && now - this.pausedSince >= stallTimeoutMs;
    const repaint: V[] = [];
    for (const [viewer, flow] of this.consumers) {
      if (stalled && flow.holdsPty && !flow.behind && flow.unacked > low && now - flow.lastAckAt >= stallTimeoutMs) flow.behind = true;
      if (flow.behind && flow.unacked <= low) {
        flow.behind = false;
        repaint.push(viewer);
      }
    }
    const holding = [this.mirror, ...[...this.consumers.values()].filter((flow) => flow.holdsPty && !flow.behind)];
    if (this.pausedSince === undefined) {
      if (holding.some((flow) => flow.unacked > this.windowOf(flow))) this.pausedSince = now;
    } else if (holding.every((flow) => flow.unacked <= Math.max(low, this.windowOf(flow) / 4))) {
      this.pausedSince = undefined;
    }
    return { pause: this.pausedSince !== undefined, repaint };
  }

  stats(): FlowStats {
    const flows = [...this.consumers.values()];
    return {
      paused: this.pausedSince !== undefined,
      mirrorPending: this.mirror.unacked,
      maxUnacked: Math.max(0, ...flows.map((flow) => flow.unacked)),
      behind: flows.filter((flow) => flow.behind).length,
    };
  }

  private newFlow(holdsPty: boolean): ConsumerFlow {
    const now = this.now();
    return { holdsPty, unacked: 0, behind: false, lastAckAt: now, rate: undefined, busyMs: 0, busyAcked: 0, lastChangeAt: now };
  }

  private windowOf(flow: ConsumerFlow): number {
    const { lowWatermark: low, highWatermark: high, targetLagMs } = this.limits;
    if (flow === this.mirror) return this.limits.mirrorWindow;
    if (flow.rate === undefined) return low;
    return Math.min(high, Math.max(low, Math.round(flow.rate * targetLagMs)));
  }

  /** Busy time is time with bytes outstanding: idle time between commands must not dilute the rate. */
  private countBusyTime(flow: ConsumerFlow): void {
    const now = this.now();
    if (flow.unacked > 0) flow.busyMs += now - flow.lastChangeAt;
    flow.lastChangeAt = now;
  }

  private addUnacked(flow: ConsumerFlow, bytes: number): void {
    this.countBusyTime(flow);
    flow.unacked += bytes;
  }

  private removeUnacked(flow: ConsumerFlow, bytes: number): void {
    this.countBusyTime(flow);
    const acked = Math.min(bytes, flow.unacked);
    flow.unacked -= acked;
    // An ack that counts nothing is no progress: it must not keep a stalled viewer from being dropped.
    if (acked > 0) flow.lastAckAt = flow.lastChangeAt;
    if (flow.behind) {
      // Acks of output that was skipped or dropped, not parsed: no parse rate to learn from them.
      flow.busyMs = 0;
      flow.busyAcked = 0;
      return;
    }
    flow.busyAcked += acked;
    if (flow.busyMs < RATE_SAMPLE_MS) return;
    const sample = flow.busyAcked / flow.busyMs;
    // Half old, half new: follows a program switching from `yes` to `cat` within a few samples.
    flow.rate = flow.rate === undefined ? sample : (flow.rate + sample) / 2;
    flow.busyMs = 0;
    flow.busyAcked = 0;
  }
}
