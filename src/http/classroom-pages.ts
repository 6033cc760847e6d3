// The classroom's own pages: joining, "your link no longer works", and the instructor dashboard's shell. Everything
// a person typed (names, codes) goes through escapeHtml.
import { escapeHtml } from './page.ts';

function shell(title: string, body: string, head = ''): string {
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
<body>
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

export function renderJoinPage(options: JoinPageOptions): string {
  const problem = options.problem ? `<p class="problem" role="alert">${escapeHtml(options.problem)}</p>` : '';
  return shell('Join the class', `<h1>Join the class</h1>
${problem}<form method="post" action="/join">
<label>Class code <input name="code" required maxlength="16" autocomplete="off" value="${escapeHtml(options.code)}"></label>
<label>Your name <input name="name" required maxlength="${maxNameLength}" autofocus value="${escapeHtml(options.name ?? '')}"></label>
<button type="submit">Join</button>
</form>`);
}

export const maxNameLength = 60;

/** 401 (who are you?) and 403 (not for you): say what happened and what to do. */
export function renderDeniedPage(status: 401 | 403, reason: string): string {
  const title = status === 401 ? 'Not signed in' : 'Not allowed';
  return shell(title, `<h1>${title}</h1>
<p class="problem">${escapeHtml(reason)}</p>
<p><a href="/join">Join the class</a> with its code, or ask your instructor for a new link.</p>`);
}

/** The dashboard's data arrives over its WebSocket; this is only the frame its script fills. */
export function renderDashboardPage(classCode: string): string {
  return shell('labdeck dashboard', `<h1>Class ${escapeHtml(classCode)}</h1>
<p><button id="gather" type="button">Everyone to my slide</button> <span id="status" role="status"></span></p>
<div id="board"></div>
<script src="build/dashboard.js"></script>`);
}
