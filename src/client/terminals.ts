// The page's terminals: asks the server which terminals the workshop has, opens the pane beside the slides and adds
// Run/Copy buttons to hands-on code blocks. A static export (no server) gets Copy buttons only.
import { installRunButtons } from './run-buttons.ts';
import { TerminalPane } from './terminal-pane.ts';
import { defaultHandsOnClasses, replayPagePath, type NodeTerminalJson } from '../protocol.ts';

export { isTerminalFocused } from './terminal-pane.ts';

/** Served by src/http/terminal-route.ts (terminalsInfoPath), relative to the deck page. */
const infoUrl = '_labdeck/terminals.json';
const socketUrl = '_labdeck/terminal';
const replayUrl = replayPagePath.slice(1);

interface TerminalsInfo {
  readonly terminals: readonly string[];
  readonly handsOn: readonly string[];
  readonly replays: boolean;
  /** A class of clusters: the attendee's other nodes and their terminals (older servers: absent). */
  readonly nodes?: readonly NodeTerminalJson[];
}

/** `token`: the one the page's link brought (link-token.ts), if any. */
export async function startTerminals(slidesRoot: HTMLElement, live: boolean, token?: string): Promise<TerminalPane | undefined> {
  const info = live ? await fetchInfo() : undefined;
  if (!info || info.terminals.length === 0) {
    installRunButtons(slidesRoot, { handsOn: info?.handsOn ?? defaultHandsOnClasses });
    return undefined;
  }
  const params = new URLSearchParams(location.search);
  const url = new URL(socketUrl, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const attendee = params.get('attendee');
  const pane = new TerminalPane({
    terminals: info.terminals,
    url: url.href,
    // Empty: the server then goes by the page's cookie, or the local attendee of a loopback server.
    token: token ?? '',
    ...(attendee ? { attendee } : {}),
    // The replay page (src/http/replay-routes.ts): `replay` alone is one's own. None when the server records nothing.
    // Their own nodes only: an instructor or projector watching an attendee sees that attendee's tabs.
    ...(info.nodes && info.nodes.length > 0 && !attendee ? { nodes: info.nodes } : {}),
    ...(info.replays ? { replayUrl: attendee ? `${replayUrl}/${encodeURIComponent(attendee)}` : replayUrl } : {}),
  });
  pane.mount();
  installRunButtons(slidesRoot, { handsOn: info.handsOn, run: (keystrokes) => pane.type(keystrokes) });
  return pane;
}

async function fetchInfo(): Promise<TerminalsInfo | undefined> {
  try {
    const response = await fetch(infoUrl, { cache: 'no-store' });
    return response.ok ? ((await response.json()) as TerminalsInfo) : undefined;
  } catch {
    return undefined;
  }
}
