// The operator page's script, served as /ui/app.js: renders the snapshots the server pushes over
// Server-Sent Events, ticks the countdowns, and sends the actions with the session's CSRF token.
// Record text only ever becomes DOM text (never HTML).

// biome-ignore lint/complexity/noUselessStringRaw: raw, so that a backslash added to the script reaches the browser as written.
export const APP_SCRIPT = String.raw`
'use strict';
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const root = document.getElementById('services');
const live = document.getElementById('live');
const announce = (text) => { document.getElementById('announce').textContent = text; };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function countdown(iso) {
  if (!iso) return 'none scheduled';
  const seconds = Math.ceil((Date.parse(iso) - Date.now()) / 1000);
  if (seconds <= 0) return 'due now';
  if (seconds < 60) return 'in ' + seconds + 's';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return 'in ' + minutes + 'm ' + String(seconds % 60).padStart(2, '0') + 's';
  return 'in ' + Math.floor(minutes / 60) + 'h ' + String(minutes % 60).padStart(2, '0') + 'm';
}
function tick() {
  for (const node of document.querySelectorAll('.countdown')) node.textContent = countdown(node.dataset.at || null);
}

async function act(label, method, path, body) {
  announce(label + '…');
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: Object.assign({ 'x-csrf-token': csrf }, body ? { 'content-type': 'application/json' } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.ok) { announce(label + ': done'); return; }
  const problem = await response.json().catch(() => ({ detail: response.statusText }));
  announce(label + ' failed: ' + problem.detail);
  alert(label + ' failed: ' + problem.detail);
}

const slug = (text) => text.replace(/[^a-z0-9]+/gi, '-');
const domainPath = (service, domain) => '/v1/services/' + encodeURIComponent(service) + '/domains/' + encodeURIComponent(domain);

function dnsTable(records) {
  if (records.length === 0) return null;
  return el('table', {},
    el('caption', { text: 'DNS records to create' }),
    el('thead', {}, el('tr', {}, ...['Name', 'Type', 'Value', 'Purpose', ''].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...records.map((r) => el('tr', {},
      el('td', {}, el('code', { text: r.name })), el('td', { text: r.type }), el('td', {}, el('code', { text: r.value })), el('td', { text: r.purpose }),
      el('td', {}, el('button', { type: 'button', 'aria-label': 'Copy ' + r.type + ' record ' + r.name, onclick: async (event) => {
        const line = r.name + ' ' + r.type + ' ' + r.value;
        try { await navigator.clipboard.writeText(line); event.target.textContent = 'Copied'; announce('Copied ' + line); }
        catch { window.prompt('Copy this record', line); }
      } }, 'Copy')),
    ))));
}

function domainCard(service, d) {
  const id = slug(service + '-' + d.domain);
  const conditions = d.conditions.map((c) => el('li', {}, el('b', { text: c.type + ' ' + c.status }), ' ' + c.reason + (c.message ? ': ' + c.message : '')));
  const history = d.history.slice().reverse().map((h) => el('li', {}, el('time', { datetime: h.at, text: h.at.replace('T', ' ').slice(0, 19) }), ' ' + (h.from || '-') + ' → ' + h.to + ': ' + h.message));
  const path = domainPath(service, d.domain);
  const resting = d.state === 'cancelled';
  return el('article', { class: 'domain', 'data-domain': d.domain, 'data-state': d.state, 'aria-labelledby': 'title-' + id },
    el('h3', { id: 'title-' + id }, d.domain, el('span', { class: 'state state-' + d.state, text: d.state })),
    el('dl', {},
      el('dt', { text: 'Role' }), el('dd', { text: d.role }),
      el('dt', { text: 'Attempts' }), el('dd', { text: String(d.attempts) }),
      el('dt', { text: 'Next attempt' }), el('dd', {}, el('span', { class: 'countdown', 'data-at': d.nextAttemptAt || '', text: countdown(d.nextAttemptAt) })),
      el('dt', { text: 'Last error' }), el('dd', { class: d.lastError ? 'error' : '', text: d.lastError ? d.lastError.detail : 'none' }),
      el('dt', { text: 'Caching' }), el('dd', { text: d.caching ? 'on' : 'off' }),
    ),
    conditions.length ? el('ul', { 'aria-label': 'Conditions' }, ...conditions) : null,
    dnsTable(d.tls ? d.tls.dnsRecords : []),
    el('details', {}, el('summary', { text: 'History (' + d.history.length + ' events)' }), el('ol', { reversed: '' }, ...history)),
    resting ? null : el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'retry-' + id, onclick: () => act('Retry ' + d.domain, 'POST', path + '/retry') }, 'Retry now'),
      el('button', { type: 'button', id: 'caching-' + id, onclick: () => act('Caching ' + (d.caching ? 'off' : 'on') + ' for ' + d.domain, 'PUT', path + '/caching', { enabled: !d.caching }) }, d.caching ? 'Caching off' : 'Caching on'),
      el('button', { type: 'button', id: 'cancel-' + id, onclick: () => { if (confirm('Cancel (or detach) ' + d.domain + '?')) act('Cancel ' + d.domain, 'DELETE', path); } }, 'Cancel'),
    ),
  );
}

function render(snapshot) {
  const focused = document.activeElement && document.activeElement.id;
  const open = new Set([...document.querySelectorAll('details[open]')].map((node) => node.closest('.domain').dataset.domain));
  root.replaceChildren(...(snapshot.services.length === 0 ? [el('p', { text: 'No services yet: create one with edgeplane services create.' })] : snapshot.services.map((s) =>
    el('section', { 'aria-labelledby': 'service-' + slug(s.name) },
      el('h2', { id: 'service-' + slug(s.name) }, 'Service ' + s.name + ' ', el('span', { class: 'state state-' + s.status, text: s.status })),
      s.lastError ? el('p', { class: 'error', text: s.lastError.detail }) : null,
      s.domains.length === 0 ? el('p', { text: 'No domains yet.' }) : null,
      ...s.domains.map((d) => domainCard(s.name, d)),
    ))));
  for (const node of document.querySelectorAll('.domain')) if (open.has(node.dataset.domain)) node.querySelector('details').open = true;
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  live.textContent = 'Live · updated ' + new Date(snapshot.at).toLocaleTimeString();
}

const source = new EventSource('/ui/events');
source.addEventListener('snapshot', (event) => render(JSON.parse(event.data)));
source.addEventListener('error', () => { live.textContent = 'Connection lost; reconnecting…'; });
setInterval(tick, 1000);
`;
