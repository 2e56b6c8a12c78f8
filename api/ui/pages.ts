// The HTML of the browser pages: plain HTML and a little CSS, no build step. Text from records is
// escaped here; the operator page's live part is filled in by /ui/app.js with DOM text nodes.

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

// Colours keep at least 4.5:1 contrast on white (WCAG AA); focus is always visible.
const STYLE = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #555; --line: #d0d0d0; --accent: #0b57d0; --bad: #a50e0e; --ok: #137333; --wait: #8a4b00; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--fg); margin: 0; background: #fff; }
header { display: flex; gap: 1rem; align-items: center; justify-content: space-between; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.25rem; margin: 0; }
main { padding: 1rem 1.25rem; max-width: 72rem; }
a { color: var(--accent); }
button, input { font: inherit; }
button { border: 1px solid var(--accent); color: var(--accent); background: #fff; border-radius: 4px; padding: .25rem .75rem; cursor: pointer; }
button.primary { background: var(--accent); color: #fff; }
button:disabled { opacity: .6; cursor: default; }
:focus-visible { outline: 3px solid #e37400; outline-offset: 2px; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input[type=password] { width: 100%; max-width: 28rem; padding: .4rem; border: 1px solid #767676; border-radius: 4px; }
.error { color: var(--bad); }
.domain { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
.domain h3 { margin: 0 0 .5rem; font-size: 1.1rem; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.state { font-size: .85rem; font-weight: 600; border-radius: 999px; padding: 0 .6rem; border: 1px solid currentColor; }
.state-cached, .state-ready { color: var(--ok); }
.state-needs_attention, .state-cancelled { color: var(--bad); }
.state-waiting_for_release, .state-queued, .state-attaching, .state-active, .state-securing, .state-provisioning { color: var(--wait); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .25rem 0; }
dt { color: var(--muted); }
dd { margin: 0; }
table { border-collapse: collapse; margin: .25rem 0; }
th, td { text-align: left; padding: .2rem .6rem .2rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
code { font-family: ui-monospace, monospace; font-size: .9em; word-break: break-all; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; margin-top: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

function layout(title: string, body: string, head = ''): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
    + `<title>${escapeHtml(title)}</title>${head}<style>${STYLE}</style></head><body>${body}</body></html>`
  );
}

export function loginPage(options: { error?: string; next?: string } = {}): string {
  return layout(
    'Log in · edgeplane',
    `<header><h1>edgeplane</h1></header><main>`
      + `<h2>Log in</h2><p>Paste an API token (<code>EDGEPLANE_API_TOKEN</code>; <code>npm start</code> prints one).</p>`
      + (options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '')
      + `<form method="post" action="/ui/login"><label for="token">API token</label>`
      + `<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>`
      + `<input type="hidden" name="next" value="${escapeHtml(options.next ?? '/ui')}">`
      + `<p><button class="primary" type="submit">Log in</button></p></form></main>`,
  );
}

export function operatorPage(csrf: string): string {
  return layout(
    'edgeplane',
    `<header><h1>edgeplane</h1><nav><a href="/docs">API reference</a></nav>`
      + `<form method="post" action="/ui/logout"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}"><button type="submit">Log out</button></form></header>`
      + `<main><p id="live" role="status" aria-live="polite">Connecting…</p><p id="announce" class="visually-hidden" role="status" aria-live="assertive"></p>`
      + `<div id="services"></div></main>`,
    `<meta name="csrf-token" content="${escapeHtml(csrf)}"><script src="/ui/app.js" defer></script>`,
  );
}

const PUBLIC_STATE: Record<string, string> = {
  queued: 'Moving to a faster network soon.',
  attaching: 'Moving to a faster network now.',
  waiting_for_release: 'Waiting for the previous provider to let go; everything works as before, media may load slowly.',
  active: 'On the faster network; its certificate is being set up.',
  securing: 'On the faster network; its certificate is being set up.',
  cached: 'Served from a network close to you.',
  needs_attention: 'The admins are looking into it; everything works as before.',
  cancelled: 'Not moving.',
};

export function publicStatusPage(service: string, domains: ReadonlyArray<{ domain: string; state: string }>): string {
  const items = domains
    .filter((d) => d.state !== 'cancelled')
    .map((d) => `<li><b>${escapeHtml(d.domain)}</b>: ${escapeHtml(PUBLIC_STATE[d.state] ?? d.state)}</li>`)
    .join('');
  return layout(
    `Status of ${service}`,
    `<header><h1>Status of ${escapeHtml(service)}</h1></header><main><ul>${items || '<li>Nothing to report.</li>'}</ul></main>`,
  );
}
