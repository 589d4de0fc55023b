// Boot: reads the URL, mounts the view it names and keeps the page a single document: links
// inside the UI change the view through the History API (back and forward work, every view
// has its own URL), and leaving a view stops its blocking query.

import { h, fill } from './dom.js';
import { get, token } from './api.js';
import { settings } from './settings.js';
import { href, parse } from './route.js';
import * as services from './views/services.js';
import * as service from './views/service.js';
import * as nodes from './views/nodes.js';
import * as node from './views/node.js';
import * as kv from './views/kv.js';
import * as cluster from './views/cluster.js';
import * as changes from './views/changes.js';

const NAV = [['services', 'Services'], ['nodes', 'Nodes'], ['kv', 'Key/Value'], ['cluster', 'Cluster'], ['changes', 'Changes']];
const main = document.getElementById('main');
const status = document.getElementById('status');
let unmount = null;
let renders = 0;

function viewFor(r) {
  switch (r.view) {
    case 'services': return r.name ? service : services;
    case 'nodes': return r.name ? node : nodes;
    case 'kv': return kv;
    case 'cluster':
    case 'overview': return cluster; // Consul's /ui/<dc>/overview/server-status
    case 'changes': return changes;
    default: return null;
  }
}

const ctxFor = (r) => ({
  route: r,
  dc: r.dc,
  navigate,
  ok() { status.hidden = true; },
  error(err, retryMs) {
    status.hidden = false;
    status.className = 'status error';
    const retry = retryMs ? ` Retrying in ${Math.round(retryMs / 1000)} s.` : '';
    status.textContent = (err.status ? `The agent answered ${err.status}: ${err.message}.` : `Cannot reach the agent: ${err.message}.`) + retry;
  },
  /** Marks a finished render for tests and benchmarks (<html data-rendered>, a performance mark). */
  rendered(view, count) {
    renders += 1;
    document.documentElement.dataset.rendered = view;
    document.documentElement.dataset.renders = String(renders);
    document.documentElement.dataset.count = String(count);
    performance.mark('sd-render', { detail: { view, count } });
  },
});

function show() {
  const r = parse(location.pathname);
  if (unmount) unmount();
  unmount = null;
  status.hidden = true;
  if (!r || !r.dc || !r.view) {
    // The bare UI address: the local datacenter's services.
    history.replaceState(null, '', href(settings.datacenter || 'dc1', 'services'));
    return show();
  }
  // A KV key addressed without /edit gets its canonical URL.
  if (r.view === 'kv' && r.mode === 'edit' && !location.pathname.endsWith('/edit')) {
    history.replaceState(null, '', href(r.dc, 'kv', r.key, 'edit'));
  }
  nav(r);
  const view = viewFor(r);
  if (!view) {
    fill(main, h('h1', {}, 'Not found'), h('p', {}, 'This page does not exist. ', h('a', { href: href(r.dc, 'services') }, 'Go to the services.')));
    document.title = 'Not found · sd';
    return;
  }
  const t = typeof view.title === 'function' ? view.title(r) : view.title;
  document.title = `${t} · ${r.dc} · sd`;
  unmount = view.mount(main, ctxFor(r));
  const heading = main.querySelector('h1');
  if (heading && document.activeElement === document.body) heading.focus({ preventScroll: true });
}

// The datacenter selector: the datacenters the agent knows (nearest first, from the WAN pool),
// asked once per page load; choosing one opens the same view there.
const dcSelect = document.getElementById('dc');
let datacenters = null;

function fillDatacenters(current) {
  const known = datacenters && datacenters.includes(current) ? datacenters : [current, ...(datacenters || [])];
  fill(dcSelect, known.map((dc) => h('option', { value: dc, selected: dc === current }, dc)));
  dcSelect.disabled = known.length < 2;
}

dcSelect.addEventListener('change', () => {
  const r = parse(location.pathname);
  const view = r && NAV.some(([v]) => v === r.view) ? r.view : 'services';
  navigate(href(dcSelect.value, view, ...(view === 'kv' ? [''] : [])));
});

function nav(r) {
  document.getElementById('brand').setAttribute('href', href(r.dc, 'services'));
  fillDatacenters(r.dc);
  if (datacenters === null) {
    datacenters = [];
    get('catalog/datacenters').then((res) => {
      datacenters = Array.isArray(res.body) ? res.body : [];
      fillDatacenters(parse(location.pathname)?.dc || r.dc);
    }, () => { datacenters = null; });
  }
  fill(document.getElementById('nav'), NAV.map(([view, label]) =>
    h('a', { href: href(r.dc, view, ...(view === 'kv' ? [''] : [])), 'aria-current': r.view === view ? 'page' : false }, label)));
}

export function navigate(url, replace) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.scrollTo(0, 0);
  show();
}

// Links inside the UI change the view without loading the page again.
document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(settings.contentPath)) return;
  ev.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
});
window.addEventListener('popstate', show);
// Anything the Content-Security-Policy blocked is counted where tests (and curious operators)
// can see it: <html data-csp-violations>.
document.addEventListener('securitypolicyviolation', () => {
  const d = document.documentElement.dataset;
  d.cspViolations = String(Number(d.cspViolations || 0) + 1);
});

// The token dialog.
const dialog = document.getElementById('token-dialog');
const input = document.getElementById('token-input');
const tokenButton = document.getElementById('token-open');
const markToken = () => { tokenButton.textContent = token.get() ? 'Token ✓' : 'Token'; };
tokenButton.addEventListener('click', () => { input.value = token.get(); dialog.showModal(); });
dialog.addEventListener('close', () => {
  if (dialog.returnValue === 'save') token.set(input.value.trim());
  if (dialog.returnValue === 'clear') token.set('');
  markToken();
  if (dialog.returnValue === 'save' || dialog.returnValue === 'clear') show();
});
markToken();
show();
