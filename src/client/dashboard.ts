// The instructor dashboard: a live grid of attendees × steps, redrawn from each state the server sends. Names are
// attendee-provided: they only ever go through textContent.
import { dashboardPath, type DashboardServerMessage, type DashboardState } from '../protocol.ts';

const board = document.getElementById('board')!;
const status = document.getElementById('status')!;
let socket: WebSocket | undefined;

function render(state: DashboardState): void {
  const results = new Map(state.results.map((r) => [`${r.attendee}\n${r.step}`, r.status]));
  const table = document.createElement('table');
  const header = table.createTHead().insertRow();
  header.append(cell('th', 'Attendee'));
  for (const step of state.steps) {
    const th = cell('th', `#${step.slide}`);
    th.title = step.text;
    header.append(th);
  }
  const body = table.createTBody();
  for (const attendee of state.attendees) {
    const row = body.insertRow();
    row.dataset.attendee = attendee.id;
    row.append(cell('th', attendee.name));
    for (const step of state.steps) {
      const result = results.get(`${attendee.id}\n${step.id}`) ?? 'pending';
      const td = cell('td', result === 'passed' ? '✔' : result === 'pending' ? '·' : '✘');
      td.className = result;
      td.title = `${step.text}: ${result}`;
      row.append(td);
    }
  }
  board.replaceChildren(table);
  status.textContent = `${state.attendees.length} attendee${state.attendees.length === 1 ? '' : 's'}`;
}

function cell(tag: 'th' | 'td', text: string): HTMLTableCellElement {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function connect(retryMs: number): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${dashboardPath}`);
  socket = ws;
  ws.addEventListener('open', () => (retryMs = 500));
  ws.addEventListener('message', (event) => {
    try {
      const message = JSON.parse(String(event.data)) as DashboardServerMessage;
      if (message.type === 'state') render(message.state);
    } catch {
      // not ours: ignored
    }
  });
  ws.addEventListener('close', () => {
    status.textContent = 'reconnecting…';
    setTimeout(() => connect(Math.min(retryMs * 2, 5000)), retryMs);
  });
}

document.getElementById('gather')!.addEventListener('click', () => {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'gather' }));
});
connect(500);
