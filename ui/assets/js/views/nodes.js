// Nodes: every node with its address, health and services; the Raft leader marked. One
// blocking query on /v1/internal/ui/nodes (the leader is read alongside each answer).

import { h, fill, table, td, plural } from '../dom.js';
import { get, watch } from '../api.js';
import { badge, counts, heading, empty, serviceLink } from '../components.js';
import { counts as tally, worst } from '../health.js';
import { href } from '../route.js';

export const title = 'Nodes';

/** A node's health is that of its own checks (serfHealth and node-level checks). */
export const nodeStatus = (n) => worst((n.Checks || []).filter((c) => !c.ServiceID));

export function mount(main, ctx) {
  const q = new URLSearchParams(location.search);
  const summary = h('span', { class: 'muted' });
  const search = h('input', { type: 'search', placeholder: 'Search by name or address', value: q.get('search') || '', 'aria-label': 'Search nodes', id: 'node-search' });
  const list = h('div', { class: 'list' }, h('p', { class: 'muted' }, 'Loading…'));
  let nodes = null;
  let leader = '';
  search.addEventListener('input', () => {
    const p = search.value ? '?search=' + encodeURIComponent(search.value) : '';
    history.replaceState(history.state, '', location.pathname + p);
    render();
  });
  fill(main, heading('Nodes', summary), h('div', { class: 'filters' }, search), list);

  function render() {
    if (!nodes) return;
    const needle = search.value.trim().toLowerCase();
    const shown = nodes.filter((n) => !needle || n.Node.toLowerCase().includes(needle) || n.Address.includes(needle));
    summary.textContent = plural(nodes.length, 'node') + (shown.length !== nodes.length ? `; ${shown.length} shown` : '');
    if (!shown.length) {
      fill(list, empty(nodes.length ? 'No node matches.' : 'No nodes are registered.'));
      ctx.rendered('nodes', 0);
      return;
    }
    fill(list, table(['Node', 'Address', 'Health', 'Checks', 'Services'], shown.map((n) => {
      const names = [...new Set((n.Services || []).map((s) => s.Service))].sort();
      const status = nodeStatus(n);
      return h('tr', { dataset: { node: n.Node, status } },
        td('Node', h('a', { href: href(ctx.dc, 'nodes', n.Node) }, n.Node),
          n.Node === leader ? h('span', { class: 'leader', title: 'Raft leader' }, 'leader') : null),
        td('Address', h('code', {}, n.Address)),
        td('Health', badge(status)),
        td('Checks', counts(tally(n.Checks))),
        td('Services', names.length ? names.map((s, i) => [i ? ', ' : '', serviceLink(ctx.dc, s)]) : h('span', { class: 'muted' }, 'none')));
    }), { class: 'nodes' }));
    ctx.rendered('nodes', shown.length);
  }

  return watch('internal/ui/nodes', {}, ctx.dc, async (body) => {
    nodes = body || [];
    ctx.ok();
    try {
      const raft = await get('operator/raft/configuration', { dc: ctx.dc });
      leader = ((raft.body && raft.body.Servers) || []).find((s) => s.Leader)?.Node || '';
    } catch {
      leader = ''; // no leader known: nothing marked
    }
    render();
  }, ctx.error);
}
