// remark.js's keyboard, plus labdeck's own keys (overview, follow-me). One table gives both the bindings and the
// help overlay, so the two never disagree.

export type KeyAction =
  | 'previous'
  | 'next'
  | 'first'
  | 'last'
  | 'blackout'
  | 'mirror'
  | 'fullscreen'
  | 'clone'
  | 'presenter'
  | 'resetTimer'
  | 'help'
  | 'overview'
  | 'toggleFollow'
  | 'takeLead'
  | 'close';

export interface KeyBinding {
  readonly keys: readonly string[];
  /** How the help overlay names the keys. */
  readonly label: string;
  readonly action: KeyAction;
  readonly description: string;
}

export const keyBindings: readonly KeyBinding[] = [
  { keys: ['ArrowLeft', 'ArrowUp', 'PageUp', 'k'], label: '← ↑ PgUp k', action: 'previous', description: 'Previous slide' },
  { keys: ['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'j'], label: '→ ↓ PgDn Space j', action: 'next', description: 'Next slide' },
  { keys: ['Home'], label: 'Home', action: 'first', description: 'First slide' },
  { keys: ['End'], label: 'End', action: 'last', description: 'Last slide' },
  { keys: ['b'], label: 'b', action: 'blackout', description: 'Blackout' },
  { keys: ['m'], label: 'm', action: 'mirror', description: 'Mirror' },
  { keys: ['f'], label: 'f', action: 'fullscreen', description: 'Fullscreen' },
  { keys: ['c'], label: 'c', action: 'clone', description: 'Clone the slideshow in a new window (kept in sync)' },
  { keys: ['p'], label: 'p', action: 'presenter', description: 'Presenter view (notes, next slide, timer)' },
  { keys: ['t'], label: 't', action: 'resetTimer', description: 'Reset the timer' },
  { keys: ['o', '/'], label: 'o /', action: 'overview', description: 'Find a slide by title' },
  { keys: ['l'], label: 'l', action: 'toggleFollow', description: 'Follow the instructor / browse freely' },
  { keys: ['L'], label: 'Shift+L', action: 'takeLead', description: 'Take the lead (instructors)' },
  { keys: ['?', 'h'], label: '? h', action: 'help', description: 'This help' },
  { keys: ['Escape'], label: 'Esc', action: 'close', description: 'Close overlays, end blackout' },
];

const actionOfKey = new Map(keyBindings.flatMap((binding) => binding.keys.map((key) => [key, binding.action] as const)));

export interface KeyHandlers {
  readonly onAction: (action: KeyAction) => void;
  /** Number + Enter: the 1-based position typed. */
  readonly onNumber: (position: number) => void;
}

/** Listens on `target` (the document); returns the function that stops listening. */
export function bindKeys(target: Document, handlers: KeyHandlers): () => void {
  let digits = '';
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey || isEditable(event.target)) return;
    // Space and Enter on a button or link press it (a Run button, a badge): they are not "next slide" there.
    if ((event.key === ' ' || event.key === 'Enter') && isPressable(event.target)) return;
    if (/^\d$/.test(event.key)) {
      digits += event.key;
      return;
    }
    if (event.key === 'Enter' && digits !== '') {
      handlers.onNumber(Number(digits));
      digits = '';
      event.preventDefault();
      return;
    }
    digits = '';
    const action = actionOfKey.get(event.key);
    if (!action) return;
    event.preventDefault();
    handlers.onAction(action);
  };
  target.addEventListener('keydown', onKeyDown);
  return () => target.removeEventListener('keydown', onKeyDown);
}

function isPressable(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('button, a[href], summary, [role="button"], [role="tab"]') !== null;
}

export function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}
