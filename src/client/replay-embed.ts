// Recordings embedded in slides: `.replay[demo.cast]` (remark.js renders it as an element of class `replay` holding
// the path) becomes a player of that asciicast v2 file — a terminal with its controls, inside the slide. Served, the
// file is fetched beside the deck page; a static export carries it in the page (`casts`), since a page opened from
// file:// may not fetch. Slides are built as they are needed (and again on live reload): new ones are decorated as
// they appear, as run-buttons.ts does.
import { parseAsciicast } from './asciicast.ts';
import { ReplayControls } from './replay-controls.ts';
import { Terminal } from '@xterm/xterm';
import { ReplayPlayer } from './replay-player.ts';

const embedSelector = '.replay';
const decoratedAttribute = 'data-labdeck-replay';

/** Decorates the embeds under `root`, now and in every slide built later; returns the undo function. */
export function installReplayEmbeds(root: HTMLElement, casts: Readonly<Record<string, string>> = {}): () => void {
  const decorateUnder = (node: Element): void => {
    if (node.matches(embedSelector)) void decorate(node as HTMLElement, casts);
    node.querySelectorAll<HTMLElement>(embedSelector).forEach((embed) => void decorate(embed, casts));
  };
  decorateUnder(root);
  const observer = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (node instanceof Element) decorateUnder(node);
  });
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}

async function decorate(embed: HTMLElement, casts: Readonly<Record<string, string>>): Promise<void> {
  if (embed.hasAttribute(decoratedAttribute)) return;
  const path = (embed.textContent ?? '').trim();
  embed.setAttribute(decoratedAttribute, 'loading');
  const frame = document.createElement('div');
  frame.className = 'labdeck-replay-embed';
  frame.setAttribute('role', 'region');
  frame.setAttribute('aria-label', `Recording ${path}`);
  embed.replaceChildren(frame);
  try {
    const text = casts[path] ?? (await fetchCast(path));
    const timeline = parseAsciicast(text, path);
    const host = document.createElement('div');
    host.className = 'labdeck-replay-embed-terminal';
    frame.append(host);
    const player = new ReplayPlayer(host, timeline, Terminal, { fontSize: 12 });
    const controls = new ReplayControls(player, { label: `Recording ${path}`, keyScope: frame });
    frame.append(controls.element);
    embed.setAttribute(decoratedAttribute, 'ready');
  } catch (error) {
    const problem = document.createElement('p');
    problem.className = 'labdeck-replay-embed-problem';
    problem.textContent = error instanceof Error ? error.message : String(error);
    frame.append(problem);
    embed.setAttribute(decoratedAttribute, 'failed');
  }
}

async function fetchCast(path: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(path);
  } catch {
    throw new Error(`${path}: the recording could not be loaded (offline, or opened from a file without it in the page)`);
  }
  if (!response.ok) throw new Error(`${path}: the recording could not be loaded (HTTP ${response.status})`);
  return response.text();
}
