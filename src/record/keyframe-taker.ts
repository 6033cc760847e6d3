// The keyframes of one recorded terminal, taken while it is recorded (recorder.ts): it keeps the state of its last
// keyframe and what the terminal printed since (no terminal between keyframes: a class's recorded terminals would
// otherwise each hold one, beside the live mirror's), and computes a keyframe when the recorder says one is due.
// Parsing goes in slices that let the event loop run between them (xterm's write); serializing is one block of
// 10-35 ms (keyframes.ts). Keyframes are computed one after another, each from the one before.
import { keyframeMinChars, stateAfter, type TerminalState, type TrackStep } from './keyframes.ts';

export class KeyframeTaker {
  /** The state the next keyframe starts from: the last one's (once computed), or a new terminal's. */
  #base: Promise<TerminalState | undefined>;
  #steps: TrackStep[] = [];
  #chars = 0;
  #totalChars = 0;
  readonly #taking = new Set<Promise<void>>();

  constructor(
    cols: number,
    rows: number,
    private readonly onError: (error: Error) => void,
  ) {
    this.#base = Promise.resolve({ cols, rows, data: '' });
  }

  /** Output characters since the last keyframe: what a player seeking past it writes. */
  get charsSinceKeyframe(): number {
    return this.#chars;
  }

  /** Whether the recording, closing now, ends with a keyframe: one with enough output, and output since its last. */
  get endsWithKeyframe(): boolean {
    return this.#totalChars >= keyframeMinChars && this.#chars > 0;
  }

  output(data: string): void {
    this.#steps.push(data);
    this.#chars += data.length;
    this.#totalChars += data.length;
  }

  resize(cols: number, rows: number): void {
    this.#steps.push({ cols, rows });
  }

  /**
   * A new session of the terminal: a reader resets it (and resizes it first, when the size changed), which leaves the
   * state of a new terminal of that size. A player still writes the output before it: its characters still count.
   */
  restart(cols: number, rows: number): void {
    this.#base = Promise.resolve({ cols, rows, data: '' });
    this.#steps = [];
  }

  /** Computes the state after everything given so far; `done` gets it. */
  take(done: (state: TerminalState) => void): void {
    const steps = this.#steps;
    this.#steps = [];
    this.#chars = 0;
    const state = this.#base.then((base) => (base ? stateAfter(base, steps) : undefined));
    // A keyframe that fails leaves no state to go on from: none are taken until the next restart (a reader computes
    // what it needs from the output).
    this.#base = state.catch((error: unknown) => {
      this.onError(error as Error);
      return undefined;
    });
    const taking = this.#base
      .then((taken) => {
        if (taken) done(taken);
      })
      .catch((error: unknown) => this.onError(error as Error));
    this.#taking.add(taking);
    void taking.finally(() => this.#taking.delete(taking));
  }

  /** Resolves once every keyframe asked for is computed and handed over. */
  async settled(): Promise<void> {
    await Promise.all([...this.#taking]);
  }
}
