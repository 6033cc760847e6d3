// The presentation timer, as in remark.js: it starts at the first change of slide and `t` resets it.
export class PresentationTimer {
  #startedAt: number | undefined;

  /** Called on every change of slide; only the first one starts the timer. */
  slideChanged(): void {
    this.#startedAt ??= Date.now();
  }

  reset(): void {
    this.#startedAt = Date.now();
  }

  /** H:MM:SS, as remark.js shows it. */
  formatElapsed(): string {
    const seconds = this.#startedAt === undefined ? 0 : Math.floor((Date.now() - this.#startedAt) / 1000);
    const pad = (value: number): string => String(value).padStart(2, '0');
    return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  }
}
