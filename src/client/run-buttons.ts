// Run and Copy buttons on every code block of a hands-on block (`.exercise`, `.lab`: workshop.yml's `handsOn`).
// Run types the block's text into the active terminal and presses Enter; Copy puts it on the clipboard. The text is
// the block's text content (the server already removed highlight backticks and markup), never its HTML.
// Slides are re-rendered on live reload, so new code blocks are decorated as they appear.
import { slideUiClass } from '../protocol.ts';

export interface RunButtonsOptions {
  /** Classes of hands-on blocks. */
  readonly handsOn: readonly string[];
  /** Types keystrokes into the active terminal; without it, only Copy buttons are added (no terminal here). */
  readonly run?: (keystrokes: string) => void;
}

const actionsClass = 'labdeck-code-actions';

/**
 * What a terminal must receive to run `text` as typed: each line ends with Enter (`\r`), so `\` continuations go
 * through bash's secondary prompt exactly as if typed; trailing blank lines are dropped.
 */
export function commandKeystrokes(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\s+$/, '').split('\n');
  return lines.map((line) => `${line}\r`).join('');
}

/** The code a block shows, without the buttons added to it. */
export function codeText(pre: HTMLElement): string {
  const copy = pre.cloneNode(true) as HTMLElement;
  copy.querySelectorAll(`.${actionsClass}`).forEach((actions) => {
    actions.remove();
  });
  return copy.textContent ?? '';
}

/**
 * Decorates the hands-on code blocks under `root`, now and in every slide built or replaced later (slides are built
 * as they are needed, and again on live reload); returns the undo function.
 */
export function installRunButtons(root: HTMLElement, options: RunButtonsOptions): () => void {
  if (options.handsOn.length === 0) return () => {};
  const selector = options.handsOn.map((name) => `.${CSS.escape(name)} pre`).join(', ');
  const decorateUnder = (node: Element): void => {
    if (node.matches(selector)) decorate(node as HTMLElement, options);
    node.querySelectorAll<HTMLElement>(selector).forEach((pre) => {
      decorate(pre, options);
    });
  };
  decorateUnder(root);
  // Only what was added is looked at: a long deck's slides are built a few at a time, and rescanning every slide
  // each time would cost more than the building.
  const observer = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (node instanceof Element) decorateUnder(node);
  });
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}

function decorate(pre: HTMLElement, options: RunButtonsOptions): void {
  if (pre.querySelector(`:scope > .${actionsClass}`)) return;
  const actions = document.createElement('span');
  // slideUiClass: a deck's stylesheet does not restyle the buttons (deck/deck-style.ts).
  actions.className = `${actionsClass} ${slideUiClass}`;
  const run = options.run;
  if (run) actions.append(button('Run', 'Type this into the terminal and press Enter', () => run(commandKeystrokes(codeText(pre)))));
  const copy = button('Copy', 'Copy to the clipboard', () => {
    void copyText(codeText(pre).replace(/\s+$/, '')).then((copied) => flash(copy, copied ? 'Copied' : 'Copy failed'));
  });
  actions.append(copy);
  pre.append(actions);
}

function button(label: string, title: string, action: () => void): HTMLButtonElement {
  const created = document.createElement('button');
  created.type = 'button';
  created.textContent = label;
  created.title = title;
  created.dataset.action = label.toLowerCase();
  // A click must not also reach the slideshow (click-to-advance) or move the keyboard away from the terminal.
  created.addEventListener('mousedown', (event) => event.preventDefault());
  created.addEventListener('click', (event) => {
    event.stopPropagation();
    action();
  });
  return created;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (file://, older browsers): the selection-and-copy route.
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

function flash(target: HTMLButtonElement, text: string): void {
  const label = target.textContent;
  target.textContent = text;
  setTimeout(() => (target.textContent = label), 1200);
}
