// The instructor dashboard: a live grid of attendees × steps (dashboard-grid.ts) fed by the dashboard channel
// (a whole state on connect, then patches), follow-me controls (everyone to my slide, pause, broadcast), the join
// QR code, an attendee's terminal watched read-only on click (dashboard-viewer.ts), and removing an attendee.
import '@xterm/xterm/css/xterm.css';
import '../../public/dashboard.css';
import { dashboardPath, type DashboardClientMessage, type DashboardFollowJson, type DashboardSeatsJson, type DashboardServerMessage } from '../protocol.ts';
import { DashboardGrid } from './dashboard-grid.ts';
import { TerminalViewer } from './dashboard-viewer.ts';
import { takeLinkToken } from './link-token.ts';
import { pageElement } from './page-element.ts';

// The dashboard goes by the cookie the server set from its link: the token only has to leave the address bar.
takeLinkToken();

const status = pageElement('status');
const followStatus = pageElement('follow-status');
const seatsStatus = pageElement('seats');
const pauseButton = document.getElementById('pause') as HTMLButtonElement;
const broadcastForm = document.getElementById('broadcast') as HTMLFormElement;
const broadcastText = document.getElementById('broadcast-text') as HTMLInputElement;
const broadcastClear = document.getElementById('broadcast-clear') as HTMLButtonElement;
const broadcastCurrent = pageElement('broadcast-current');
const viewerRoot = pageElement('viewer');

let socket: WebSocket | undefined;
let follow: DashboardFollowJson = { paused: false, leader: null, message: null };
let viewer: TerminalViewer | undefined;

const grid = new DashboardGrid(
  pageElement('board'),
  (attendee) => {
    if (!viewer) {
      status.textContent = 'This workshop has no terminals to watch.';
      return;
    }
    viewer.open(attendee);
    grid.select(attendee.id);
  },
  (attendee) => {
    // Two attendees with the same name: the question says which one (the row's title tells the same).
    const which = attendee.sameNameCount < 2 ? '' : ` (joined at ${new Date(attendee.joinedAt).toLocaleTimeString()}, id ${attendee.id})`;
    const question = `Remove ${attendee.name}${which} from the class?\n\nTheir link stops working, their terminals close and their progress is deleted. They can join again as someone new.`;
    if (confirm(question)) send({ type: 'remove', attendee: attendee.id });
  },
);

function send(message: DashboardClientMessage): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function showCounts(): void {
  const count = grid.attendeeCount;
  status.textContent = `${count} attendee${count === 1 ? '' : 's'} · stuck after ${grid.stuckAfterMinutes} min failing`;
}

function showFollow(next: DashboardFollowJson): void {
  follow = next;
  followStatus.textContent = `${next.leader ? `you are at slide ${next.leader.label}` : 'open the deck with your instructor link to lead'}${next.paused ? ' · follow mode PAUSED' : ''}`;
  pauseButton.textContent = next.paused ? 'Resume follow mode' : 'Pause follow mode';
  pauseButton.setAttribute('aria-pressed', String(next.paused));
  document.body.classList.toggle('follow-paused', next.paused);
  broadcastCurrent.hidden = next.message === null;
  broadcastCurrent.textContent = next.message ? `Shown to attendees: ${next.message.text}` : '';
  broadcastClear.hidden = next.message === null;
}

/** The warm seats: what the next joining attendees get at once, what is still booting, what attendees have. */
function showSeats(seats: DashboardSeatsJson | null): void {
  seatsStatus.hidden = seats === null;
  seatsStatus.textContent = seats ? ` · warm seats: ${seats.ready} ready, ${seats.warming} warming, ${seats.claimed} claimed (keeps ${seats.target})` : '';
}

function receive(message: DashboardServerMessage): void {
  if (message.type === 'state') {
    grid.render(message.state);
    // The attendee being watched was removed from the class: nothing is left to watch.
    const watching = viewer;
    if (watching?.attendee && !message.state.attendees.some((attendee) => attendee.id === watching.attendee)) watching.close();
    showFollow(message.state.follow);
    showSeats(message.state.seats);
  } else if (message.type === 'patch') {
    grid.apply(message.patch);
    if (message.patch.follow) showFollow(message.patch.follow);
    if (message.patch.seats !== undefined) showSeats(message.patch.seats);
  }
  showCounts();
}

function connect(retryMs: number): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${dashboardPath}`);
  socket = ws;
  ws.addEventListener('open', () => (retryMs = 500));
  ws.addEventListener('message', (event) => {
    let message: DashboardServerMessage;
    try {
      message = JSON.parse(String(event.data)) as DashboardServerMessage;
    } catch {
      return; // not ours: ignored
    }
    receive(message);
  });
  ws.addEventListener('close', () => {
    status.textContent = 'reconnecting…';
    setTimeout(() => connect(Math.min(retryMs * 2, 5000)), retryMs);
  });
}

pageElement('gather').addEventListener('click', () => send({ type: 'gather' }));
pauseButton.addEventListener('click', () => send({ type: 'pause', paused: !follow.paused }));
broadcastForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (broadcastText.value.trim() === '') return;
  send({ type: 'broadcast', text: broadcastText.value });
  broadcastText.value = '';
});
broadcastClear.addEventListener('click', () => send({ type: 'broadcast', text: '' }));
// The join QR code, enlarged for the room: a click on it, or its button (keyboard); Esc makes it small again.
const joinFigure = document.querySelector<HTMLElement>('.dash-join');
const joinZoom = document.getElementById('join-zoom');
const enlargeJoin = (big: boolean): void => {
  joinFigure?.classList.toggle('big', big);
  joinZoom?.setAttribute('aria-expanded', String(big));
  if (joinZoom) joinZoom.textContent = big ? 'Make it small' : 'Enlarge';
  joinZoom?.setAttribute('aria-label', big ? 'Make the join QR code small' : 'Enlarge the join QR code');
};
joinFigure?.addEventListener('click', (event) => {
  if ((event.target as Element).closest('a, button')) return;
  enlargeJoin(!joinFigure.classList.contains('big'));
});
joinZoom?.addEventListener('click', () => enlargeJoin(!joinFigure?.classList.contains('big')));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && joinFigure?.classList.contains('big')) enlargeJoin(false);
});

// Which terminals attendees have (none: nothing to watch); the dashboard works without them.
fetch('/_labdeck/terminals.json', { headers: { accept: 'application/json' } })
  .then((response) => (response.ok ? (response.json() as Promise<{ terminals: string[] }>) : { terminals: [] }))
  .then(({ terminals }) => {
    if (terminals.length > 0) viewer = new TerminalViewer(viewerRoot, terminals, () => grid.select(undefined));
  })
  .catch(() => {});
connect(500);
