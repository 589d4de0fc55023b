// Recent changes (Consul's UI has no such view): health transitions and registrations as they
// happen, newest first. One blocking query on /v1/internal/ui/nodes; each answer is compared
// with the one before. The log and the last answer outlive the view, so coming back shows
// what changed while it was closed (marked as such).

import { h, fill, plural } from '../dom.js';
import { watch } from '../api.js';
import { badge, heading, empty, nodeLink, serviceLink } from '../components.js';

export const title = 'Changes';

const MAX = 500;
const kept = { last: null, log: [], closedAt: null };

/** node name → {address, services: Map id → name, checks: Map id → check} */
function index(nodes) {
  const out = new Map();
  for (const n of nodes || []) {
    out.set(n.Node, {
      address: n.Address,
      services: new Map((n.Services || []).map((s) => [s.ID, s.Service])),
      checks: new Map((n.Checks || []).map((c) => [c.CheckID, c])),
    });
  }
  return out;
}

function diff(before, after, at, away) {
  const out = [];
  const add = (kind, status, parts, output) => out.push({ at, away, kind, status, parts, output });
  for (const [name, n] of after) {
    const old = before.get(name);
    if (!old) add('registration', 'passing', [['node', name], ` registered (${n.address})`]);
    for (const [id, svc] of n.services) {
      if (!old || !old.services.has(id)) add('registration', 'passing', ['instance ', id, ' of ', ['service', svc], ' registered on ', ['node', name]]);
    }
    for (const [id, c] of n.checks) {
      const prev = old && old.checks.get(id);
      const where = c.ServiceID ? [' (', ['service', c.ServiceName], ' on ', ['node', name], ')'] : [' on ', ['node', name]];
      if (!prev) {
        if (old) add('health', c.Status, ['check ', c.Name || id, ...where, ` added: ${c.Status}`], c.Output);
      } else if (prev.Status !== c.Status) {
        add('health', c.Status, ['check ', c.Name || id, ...where, `: ${prev.Status} → ${c.Status}`], c.Output);
      }
    }
    if (old) {
      for (const [id, svc] of old.services) if (!n.services.has(id)) add('registration', 'warning', ['instance ', id, ' of ', ['service', svc], ' deregistered from ', ['node', name]]);
    }
  }
  for (const name of before.keys()) if (!after.has(name)) add('registration', 'critical', [['node', name], ' deregistered']);
  return out;
}

export function mount(main, ctx) {
  const summary = h('span', { class: 'muted' });
  const only = h('select', { 'aria-label': 'Show', id: 'changes-kind' },
    h('option', { value: '' }, 'All changes'), h('option', { value: 'health' }, 'Health only'),
    h('option', { value: 'registration' }, 'Registrations only'));
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  only.addEventListener('change', render);
  fill(main, heading('Changes', summary), h('div', { class: 'filters' }, only), list);
  const away = kept.closedAt;

  const part = (p) => (Array.isArray(p) ? (p[0] === 'node' ? nodeLink(ctx.dc, p[1]) : serviceLink(ctx.dc, p[1])) : p);

  function render() {
    const shown = kept.log.filter((e) => !only.value || e.kind === only.value);
    summary.textContent = plural(kept.log.filter((e) => e.kind !== 'start').length, 'change') + ' since this page was opened';
    if (!shown.length) {
      fill(list, empty('Nothing has changed yet. Changes appear here as they happen.'));
      return;
    }
    fill(list, h('ol', { class: 'changes' }, shown.map((e) =>
      h('li', { class: `change ${e.kind}`, dataset: { kind: e.kind, status: e.status } },
        h('time', { datetime: e.at.toISOString(), title: e.at.toLocaleString() }, e.at.toTimeString().slice(0, 8)),
        e.kind === 'start' ? null : badge(e.status, e.kind === 'health' ? e.status : 'catalog'),
        h('span', { class: e.kind === 'start' ? 'what muted' : 'what' }, e.parts.map(part),
          e.away ? h('span', { class: 'muted' }, ' (while this view was closed)') : null),
        e.output ? h('pre', { class: 'output' }, e.output.length > 500 ? e.output.slice(0, 500) + '…' : e.output) : null))));
  }

  const stop = watch('internal/ui/nodes', {}, ctx.dc, (nodes) => {
    ctx.ok();
    const now = index(nodes);
    const at = new Date();
    if (!kept.last) {
      const instances = [...now.values()].reduce((n, x) => n + x.services.size, 0);
      kept.log.unshift({ at, kind: 'start', status: 'passing', parts: [`Watching ${plural(now.size, 'node')} and ${plural(instances, 'service instance')}.`] });
    } else {
      const changes = diff(kept.last, now, at, Boolean(away) && kept.closedAt === away);
      kept.log.unshift(...changes.reverse());
      kept.log.length = Math.min(kept.log.length, MAX);
    }
    kept.closedAt = null;
    kept.last = now;
    render();
    ctx.rendered('changes', kept.log.length);
  }, ctx.error);
  return () => {
    stop();
    kept.closedAt = new Date();
  };
}
