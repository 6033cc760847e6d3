// Shows why the last reload of the deck failed, over the (last good) slides, until a reload succeeds.
export class ErrorOverlay {
  #element: HTMLElement | undefined;

  show(message: string | null): void {
    if (message === null) {
      this.#element?.remove();
      this.#element = undefined;
      return;
    }
    if (!this.#element) {
      this.#element = document.createElement('div');
      this.#element.className = 'labdeck-error-overlay';
      this.#element.setAttribute('role', 'alert');
      document.body.append(this.#element);
    }
    const heading = document.createElement('strong');
    heading.textContent = 'The deck has an error; these are the last good slides.';
    const text = document.createElement('pre');
    text.textContent = message;
    this.#element.replaceChildren(heading, text);
  }
}
