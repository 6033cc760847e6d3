// Ack-based flow control between PTY output and its consumers (docs/protocol.md, "Flow control").
// Policy: the mirror and the read-write viewers (owner, instructor) hold the PTY back: it is paused when one of
// them has more than HIGH bytes unacknowledged and resumed when all are below LOW. A watcher never holds the
// attendee back: above HIGH it stops receiving output ("behind") and, once it has caught up below LOW, is repainted
// from the mirror. A read-write viewer that keeps the PTY paused for stallTimeoutMs without acking (a frozen or
// throttled background tab) is treated the same way. So each consumer has at most about HIGH + one chunk in flight.

export interface FlowLimits {
  readonly highWatermark: number;
  readonly lowWatermark: number;
  readonly stallTimeoutMs: number;
}

interface ConsumerFlow {
  readonly holdsPty: boolean;
  unacked: number;
  behind: boolean;
  lastAckAt: number;
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
  private mirrorPending = 0;
  private pausedSince: number | undefined;

  constructor(
    private readonly limits: FlowLimits,
    private readonly now: () => number = Date.now,
  ) {}

  add(viewer: V, holdsPty: boolean): void {
    this.consumers.set(viewer, { holdsPty, unacked: 0, behind: false, lastAckAt: this.now() });
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
    flow.unacked += bytes;
    if (!flow.holdsPty && flow.unacked > this.limits.highWatermark) flow.behind = true;
  }

  acked(viewer: V, bytes: number): void {
    const flow = this.consumers.get(viewer);
    if (!flow) return;
    flow.unacked = Math.max(0, flow.unacked - bytes);
    flow.lastAckAt = this.now();
  }

  mirrorWritten(length: number): void {
    this.mirrorPending += length;
  }

  mirrorParsed(length: number): void {
    this.mirrorPending = Math.max(0, this.mirrorPending - length);
  }

  evaluate(): FlowDecision<V> {
    const { highWatermark: high, lowWatermark: low, stallTimeoutMs } = this.limits;
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
    const holding = [...this.consumers.values()].filter((flow) => flow.holdsPty && !flow.behind);
    if (this.pausedSince === undefined) {
      if (this.mirrorPending > high || holding.some((flow) => flow.unacked > high)) this.pausedSince = now;
    } else if (this.mirrorPending <= low && holding.every((flow) => flow.unacked <= low)) {
      this.pausedSince = undefined;
    }
    return { pause: this.pausedSince !== undefined, repaint };
  }

  stats(): FlowStats {
    const flows = [...this.consumers.values()];
    return {
      paused: this.pausedSince !== undefined,
      mirrorPending: this.mirrorPending,
      maxUnacked: Math.max(0, ...flows.map((flow) => flow.unacked)),
      behind: flows.filter((flow) => flow.behind).length,
    };
  }
}
