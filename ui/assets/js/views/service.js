// One service: every instance with its node, address and port, tags, meta and every check
// with its output. One blocking query on /v1/health/service/<name>.

import { h, fill, plural } from '../dom.js';
import { watch } from '../api.js';
import { badge, checks, counts, heading, meta, nodeLink, tags, empty } from '../components.js';
import { counts as tally, worst } from '../health.js';
import { href } from '../route.js';

export const title = (r) => r.name;

export function mount(main, ctx) {
  const name = ctx.route.name;
  const summary = h('span', { class: 'muted' });
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(main,
    h('p', { class: 'crumbs' }, h('a', { href: href(ctx.dc, 'services') }, 'Services'), ' / '),
    heading(name, summary), body);

  return watch(`health/service/${encodeURIComponent(name)}`, {}, ctx.dc, (entries) => {
    ctx.ok();
    entries = entries || [];
    if (!entries.length) {
      summary.textContent = '';
      fill(body, empty(`No instances of ${name} are registered (it may have been deregistered).`));
      ctx.rendered('service', 0);
      return;
    }
    const all = entries.flatMap((e) => e.Checks || []);
    fill(summary, `${plural(entries.length, 'instance')} · `, counts(tally(all)));
    fill(body, entries.map((e) => {
      const s = e.Service;
      const address = s.Address || e.Node.Address;
      const status = worst(e.Checks);
      return h('section', { class: `card instance ${status}`, dataset: { instance: s.ID, status } },
        h('div', { class: 'card-head' },
          h('h2', {}, s.ID), badge(status, status === 'passing' ? 'healthy' : status)),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Node'), h('dd', {}, nodeLink(ctx.dc, e.Node.Node)),
          h('dt', {}, 'Address'), h('dd', {}, h('code', {}, s.Port ? `${address}:${s.Port}` : address)),
          h('dt', {}, 'Tags'), h('dd', {}, (s.Tags || []).length ? tags(s.Tags) : h('span', { class: 'muted' }, 'none')),
          h('dt', {}, 'Meta'), h('dd', {}, meta(s.Meta))),
        h('h3', {}, 'Health checks'), checks(e.Checks));
    }));
    ctx.rendered('service', entries.length);
  }, ctx.error);
}
