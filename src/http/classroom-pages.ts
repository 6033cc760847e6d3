// The classroom's own pages: joining, "your link no longer works", and the instructor dashboard's shell. Everything
// a person typed (names, codes) goes through escapeHtml.
import { maxBroadcastLength } from '../protocol.ts';
import { escapeHtml } from './page.ts';

function shell(title: string, body: string, head = '', bodyClass = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin:.5rem 0}input{font-size:1.1rem}.problem{color:#a00}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .4rem;font-size:.85rem}
td.passed{background:#bfb}td.failed,td.error{background:#fbb}td.pending{background:#eee}</style>
${head}</head>
<body${bodyClass ? ` class="${bodyClass}"` : ''}>
${body}
</body>
</html>
`;
}

export interface JoinPageOptions {
  /** Prefilled from the join URL (`/join?code=...`). */
  readonly code: string;
  readonly name?: string;
  readonly problem?: string;
}

/**
 * No maxlength on the name: browsers count it in UTF-16 units (a family emoji is eight), the server in characters
 * people see (src/classroom/attendee-name.ts), and says so when a name is too long.
 */
export function renderJoinPage(options: JoinPageOptions): string {
  const problem = options.problem ? `<p class="problem" role="alert">${escapeHtml(options.problem)}</p>` : '';
  return shell(
    'Join the class',
    `<h1>Join the class</h1>
${problem}<form method="post" action="/join">
<label>Class code <input name="code" required maxlength="16" autocomplete="off" value="${escapeHtml(options.code)}"></label>
<label>Your name <input name="name" required autofocus value="${escapeHtml(options.name ?? '')}"></label>
<button type="submit">Join</button>
</form>`,
  );
}

/** 401 (who are you?) and 403 (not for you): say what happened and what to do. */
export function renderDeniedPage(status: 401 | 403, reason: string): string {
  const title = status === 401 ? 'Not signed in' : 'Not allowed';
  return shell(
    title,
    `<h1>${title}</h1>
<p class="problem">${escapeHtml(reason)}</p>
<p><a href="/join">Join the class</a> with its code, or ask your instructor for a new link.</p>`,
  );
}

export interface DashboardPageOptions {
  readonly classCode: string;
  readonly joinUrl: string;
  /** The join URL's QR code, an SVG element (src/classroom/qr.ts). */
  readonly joinQrSvg: string;
  /** Recording is on, with or without typed input; undefined: off. */
  readonly recording?: { readonly input: boolean } | undefined;
  /** The server serves attendees' replays: each row links to theirs. */
  readonly replays?: boolean;
}

/** The instructor must know when attendees' typing (passwords included) is kept. */
function recordingNotice(recording: DashboardPageOptions['recording']): string {
  if (!recording) return '<span id="recording">Not recording</span>';
  if (!recording.input) return '<span id="recording">Recording terminals, slides and checks (not typed input)</span>';
  return '<strong id="recording" class="dash-recording-input">Recording typed input too (record: { input: true })</strong>';
}

/** The dashboard's data arrives over its WebSocket; this is only the frame its script (src/client/dashboard.ts) fills. */
export function renderDashboardPage(options: DashboardPageOptions): string {
  const joinUrl = escapeHtml(options.joinUrl);
  return shell(
    'labdeck dashboard',
    `<header class="dash-header">
<div class="dash-title">
<h1>Class ${escapeHtml(options.classCode)}</h1>
<p><span id="status" role="status"></span> · <span id="follow-status"></span> · ${recordingNotice(options.recording)}<span id="seats" hidden></span></p>
</div>
<div class="dash-controls">
<button id="gather" type="button" title="Every page goes to your slide and follows you again">Everyone to my slide</button>
<button id="pause" type="button" aria-pressed="false">Pause follow mode</button>
<form id="broadcast">
<input id="broadcast-text" maxlength="${maxBroadcastLength}" placeholder="A short message for every attendee" aria-label="Message to broadcast">
<button type="submit">Broadcast</button>
<button id="broadcast-clear" type="button" hidden>Take it down</button>
</form>
<p id="broadcast-current" hidden></p>
</div>
<figure class="dash-join" title="Click to enlarge">
${options.joinQrSvg}
<figcaption>Join at <a href="${joinUrl}">${joinUrl}</a> <button id="join-zoom" type="button" aria-expanded="false" aria-label="Enlarge the join QR code">Enlarge</button></figcaption>
</figure>
</header>
<main class="dash-main">
<div id="board"${options.replays ? ' data-replays' : ''}></div>
<aside id="viewer" class="dash-viewer" hidden aria-label="Attendee terminal"></aside>
</main>
<script src="build/dashboard.js"></script>`,
    '<link rel="stylesheet" href="build/dashboard.css">',
    'labdeck-dashboard',
  );
}
