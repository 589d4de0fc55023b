// Services: every service name with its instances, nodes, tags and check counts, searchable
// and filtered by health and tag (kept in the URL's query). One blocking query on
// /v1/internal/ui/services keeps it live.

import { h, fill, patch, table, td, plural } from '../dom.js';
import { watch } from '../api.js';
import { counts, tags, heading, empty } from '../components.js';
import { href } from '../route.js';

export const title = 'Services';

const statusOf = (s) => (s.ChecksCritical > 0 ? 'critical' : s.ChecksWarning > 0 ? 'warning' : 'passing');

export function mount(main, ctx) {
  const q = new URLSearchParams(location.search);
  const state = { search: q.get('search') || '', status: q.get('status') || '', tag: q.get('tag') || '' };
  let services = null;

  const summary = h('span', { class: 'muted' });
  const search = h('input', { type: 'search', placeholder: 'Search by name or tag', value: state.search, 'aria-label': 'Search services', id: 'service-search' });
  const status = h('select', { 'aria-label': 'Filter by health', id: 'service-status' },
    h('option', { value: '' }, 'Any health'),
    ['passing', 'warning', 'critical'].map((s) => h('option', { value: s }, s[0].toUpperCase() + s.slice(1))));
  status.value = state.status;
  const tag = h('select', { 'aria-label': 'Filter by tag', id: 'service-tag' });
  const list = h('div', { class: 'list' }, h('p', { class: 'muted' }, 'Loading…'));

  const changed = () => {
    state.search = search.value;
    state.status = status.value;
    state.tag = tag.value;
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (v) p.set(k, v);
    history.replaceState(history.state, '', location.pathname + (p.toString() ? '?' + p : ''));
    render();
  };
  search.addEventListener('input', changed);
  status.addEventListener('change', changed);
  tag.addEventListener('change', changed);

  fill(main, heading('Services', summary),
    h('div', { class: 'filters' }, search, status, tag), list);

  function renderTags() {
    const all = [...new Set(services.flatMap((s) => s.Tags || []))].sort();
    if (state.tag && !all.includes(state.tag)) all.unshift(state.tag);
    fill(tag, h('option', { value: '' }, 'Any tag'), all.map((t) => h('option', { value: t }, t)));
    tag.value = state.tag;
  }

  function render() {
    if (!services) return;
    const needle = state.search.trim().toLowerCase();
    const shown = services.filter((s) =>
      (!needle || s.Name.toLowerCase().includes(needle) || (s.Tags || []).some((t) => t.toLowerCase().includes(needle))) &&
      (!state.status || statusOf(s) === state.status) &&
      (!state.tag || (s.Tags || []).includes(state.tag)));
    const instances = services.reduce((n, s) => n + s.InstanceCount, 0);
    summary.textContent = `${plural(services.length, 'service')}, ${plural(instances, 'instance')}` +
      (shown.length !== services.length ? `; ${shown.length} shown` : '');
    if (!shown.length) {
      fill(list, empty(services.length ? 'No service matches these filters.' : 'No services are registered.'));
      ctx.rendered('services', 0);
      return;
    }
    const trs = shown.map(row);
    const body = list.querySelector('tbody');
    if (body) patch(body, trs);
    else fill(list, table(['Service', 'Health checks', 'Instances', 'Tags'], trs, { class: 'services' }));
    ctx.rendered('services', shown.length);
  }

  // A row is built again only when what it shows changed, so an update touches the rows of
  // the services that changed, not all of them.
  const rows = new Map();
  function row(s) {
    const key = [s.ChecksPassing, s.ChecksWarning, s.ChecksCritical, s.InstanceCount,
      (s.Nodes || []).length, (s.Tags || []).join(','), (s.ExternalSources || []).join(',')].join('|');
    const kept = rows.get(s.Name);
    if (kept && kept.key === key) return kept.tr;
    const tr = h('tr', { dataset: { service: s.Name, status: statusOf(s) } },
      td('Service', h('a', { href: href(ctx.dc, 'services', s.Name) }, s.Name),
        (s.ExternalSources || []).map((src) => h('span', { class: 'source' }, src))),
      td('Health checks', counts({ passing: s.ChecksPassing, warning: s.ChecksWarning, critical: s.ChecksCritical })),
      td('Instances', `${s.InstanceCount} on ${plural((s.Nodes || []).length, 'node')}`),
      td('Tags', tags(s.Tags, 6)));
    rows.set(s.Name, { key, tr });
    return tr;
  }

  return watch('internal/ui/services', {}, ctx.dc, (body) => {
    services = body || [];
    const names = new Set(services.map((s) => s.Name));
    for (const name of rows.keys()) if (!names.has(name)) rows.delete(name);
    ctx.ok();
    renderTags();
    render();
  }, ctx.error);
}
