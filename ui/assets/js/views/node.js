// One node: its address, tagged addresses and meta, its own checks and every service instance
// on it with its checks. One blocking query on /v1/internal/ui/node/<node>.

import { h, fill, table, td } from '../dom.js';
import { watch } from '../api.js';
import { badge, checks, heading, meta, serviceLink, tags, empty } from '../components.js';
import { worst } from '../health.js';
import { href } from '../route.js';
import { nodeStatus } from './nodes.js';

export const title = (r) => r.name;

export function mount(main, ctx) {
  const name = ctx.route.name;
  const status = h('span');
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(main,
    h('p', { class: 'crumbs' }, h('a', { href: href(ctx.dc, 'nodes') }, 'Nodes'), ' / '),
    heading(name, status), body);

  return watch(`internal/ui/node/${encodeURIComponent(name)}`, {}, ctx.dc, (n) => {
    ctx.ok();
    if (!n) {
      fill(status);
      fill(body, empty(`There is no node named ${name} in the catalog (it may have left).`));
      ctx.rendered('node', 0);
      return;
    }
    fill(status, badge(nodeStatus(n)));
    const own = (n.Checks || []).filter((c) => !c.ServiceID);
    const services = n.Services || [];
    fill(body,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Address'), h('dd', {}, h('code', {}, n.Address)),
        h('dt', {}, 'ID'), h('dd', {}, h('code', {}, n.ID || '—')),
        h('dt', {}, 'Tagged addresses'), h('dd', {}, meta(n.TaggedAddresses)),
        h('dt', {}, 'Meta'), h('dd', {}, meta(n.Meta))),
      h('h2', {}, 'Node checks'), checks(own),
      h('h2', {}, `Service instances (${services.length})`),
      services.length ? table(['Health', 'Service', 'ID', 'Address', 'Tags'], services.map((s) => {
        const mine = (n.Checks || []).filter((c) => c.ServiceID === s.ID);
        const st = worst(own.concat(mine));
        return h('tr', { dataset: { instance: s.ID, status: st } },
          td('Health', badge(st)),
          td('Service', serviceLink(ctx.dc, s.Service)),
          td('ID', s.ID),
          td('Address', h('code', {}, `${s.Address || n.Address}${s.Port ? ':' + s.Port : ''}`)),
          td('Tags', tags(s.Tags)));
      }), { class: 'instances' }) : empty('No services on this node.'),
      services.some((s) => (n.Checks || []).some((c) => c.ServiceID === s.ID))
        ? [h('h2', {}, 'Service checks'), checks((n.Checks || []).filter((c) => c.ServiceID))] : null);
    ctx.rendered('node', 1);
  }, ctx.error);
}
