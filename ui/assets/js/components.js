// Pieces the views share: health badges, tags, meta, check tables, links.

import { h, table, td, plural } from './dom.js';
import { mark, STATES } from './health.js';
import { href } from './route.js';

/** A status badge: colour, a symbol (not colour alone) and the word. */
export function badge(status, text) {
  return h('span', { class: `badge ${status}`, dataset: { status } },
    h('span', { 'aria-hidden': 'true' }, mark(status)), ' ', text ?? status);
}

/** Passing / warning / critical counts; zero counts are left out. */
export function counts(n, noun = 'check') {
  const parts = STATES.filter((s) => n[s] > 0).map((s) =>
    h('span', { class: `count ${s}`, title: `${plural(n[s], noun)} ${s}`, dataset: { status: s } },
      h('span', { 'aria-hidden': 'true' }, mark(s)), ` ${n[s]}`));
  return h('span', { class: 'counts' }, parts.length ? parts : h('span', { class: 'muted' }, `no ${noun}s`));
}

export function tags(list, limit) {
  const all = list || [];
  const shown = limit ? all.slice(0, limit) : all;
  return h('span', { class: 'tags' }, shown.map((t) => h('span', { class: 'tag' }, t)),
    all.length > shown.length ? h('span', { class: 'muted' }, ` +${all.length - shown.length}`) : null);
}

export function meta(map) {
  const entries = Object.entries(map || {});
  if (!entries.length) return h('span', { class: 'muted' }, 'none');
  return h('dl', { class: 'meta' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export const nodeLink = (dc, node) => h('a', { href: href(dc, 'nodes', node) }, node);
export const serviceLink = (dc, name) => h('a', { href: href(dc, 'services', name) }, name);

/** Every check with its status, type and output. */
export function checks(list) {
  if (!list || !list.length) return h('p', { class: 'muted' }, 'No health checks.');
  const type = (c) => c.Type || (c.Definition && (c.Definition.HTTP ? 'http' : c.Definition.TCP ? 'tcp' : '')) || (c.CheckID === 'serfHealth' ? 'serf' : '');
  return table(['Status', 'Check', 'Type', 'Output'], list.map((c) =>
    h('tr', { dataset: { check: c.CheckID, status: c.Status } },
      td('Status', badge(c.Status)),
      td('Check', h('div', {}, c.Name || c.CheckID), h('div', { class: 'muted small' }, c.CheckID),
        c.Notes ? h('div', { class: 'small' }, c.Notes) : null),
      td('Type', type(c) || '—'),
      td('Output', c.Output ? h('pre', { class: 'output' }, c.Output) : h('span', { class: 'muted' }, '—')))),
  { class: 'checks' });
}

/** A section heading with an optional note beside it. */
export const heading = (text, ...aside) => h('div', { class: 'heading' }, h('h1', { tabindex: '-1' }, text), ...aside);

export const empty = (text) => h('p', { class: 'empty' }, text);
