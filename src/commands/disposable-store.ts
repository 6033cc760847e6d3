// What a command has started, undone in one call: newest first (a part may use those made before it), each once.
// serve keeps what a failed start must undo here instead of repeating the same cleanup in every catch.

export interface Disposable {
  dispose(): void;
}

export class DisposableStore implements Disposable {
  #parts: Disposable[] = [];

  /** Keeps `part` to be disposed with the store; returns it, so that making and keeping read as one line. */
  add<T extends Disposable>(part: T): T {
    this.#parts.push(part);
    return part;
  }

  /** Disposes every part, newest first; one that throws does not keep the others: the first error is thrown after. */
  dispose(): void {
    const parts = this.#parts.reverse();
    this.#parts = [];
    const errors: unknown[] = [];
    for (const part of parts) {
      try {
        part.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
