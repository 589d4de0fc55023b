// The cluster: gossip members with their status, the Raft peers with the leader, and the
// datacenters. These endpoints have no blocking queries, so the view reads them every 3 s.

import { h, fill, table, td, plural } from '../dom.js';
import { get, poll } from '../api.js';
import { badge, heading } from '../components.js';
import { href } from '../route.js';

export const title = 'Cluster';

// Serf's member status codes (/v1/agent/members).
const MEMBER = { 0: ['none', 'warning'], 1: ['alive', 'passing'], 2: ['leaving', 'warning'], 3: ['left', 'warning'], 4: ['failed', 'critical'] };

export function mount(main, ctx) {
  const summary = h('span', { class: 'muted' });
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(main, heading('Cluster', summary), body);

  const load = async (signal) => {
    const [members, raft, dcs] = await Promise.all([
      get('agent/members', { signal }),
      get('operator/raft/configuration', { dc: ctx.dc, signal }).catch((err) => ({ error: err })),
      get('catalog/datacenters', { signal }).catch(() => ({ body: [] })),
    ]);
    return { members: members.body || [], raft, dcs: dcs.body || [] };
  };

  return poll(3000, load, ({ members, raft, dcs }) => {
    ctx.ok();
    const servers = (raft.body && raft.body.Servers) || [];
    const leader = servers.find((s) => s.Leader);
    const alive = members.filter((m) => m.Status === 1).length;
    summary.textContent = `${plural(members.length, 'member')}, ${alive} alive · ${plural(servers.length, 'Raft server')}`;
    const sorted = [...members].sort((a, b) => (a.Tags?.role === b.Tags?.role ? a.Name.localeCompare(b.Name) : a.Tags?.role === 'consul' ? -1 : 1));
    fill(body,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Datacenter'), h('dd', {}, ctx.dc),
        h('dt', {}, 'Datacenters'), h('dd', {}, dcs.length ? dcs.join(', ') : '—'),
        h('dt', {}, 'Leader'), h('dd', {}, leader ? `${leader.Node} (${leader.Address})` : raft.error ? `unknown: ${raft.error.message}` : 'none')),
      h('h2', {}, 'Gossip members'),
      table(['Member', 'Address', 'Status', 'Type', 'Build', 'DC'], sorted.map((m) => {
        const [word, status] = MEMBER[m.Status] || ['unknown', 'warning'];
        return h('tr', { dataset: { member: m.Name, status: word } },
          td('Member', h('a', { href: href(ctx.dc, 'nodes', m.Name) }, m.Name)),
          td('Address', h('code', {}, `${m.Addr}:${m.Port}`)),
          td('Status', badge(status, word)),
          td('Type', m.Tags?.role === 'consul' ? 'server' : 'client'),
          td('Build', (m.Tags?.build || '').split(':')[0] || '—'),
          td('DC', m.Tags?.dc || '—'));
      }), { class: 'members' }),
      h('h2', {}, 'Raft peers'),
      servers.length ? table(['Node', 'Address', 'Role', 'Voter'], servers.map((s) =>
        h('tr', { dataset: { peer: s.Node } },
          td('Node', s.Node), td('Address', h('code', {}, s.Address)),
          td('Role', s.Leader ? h('span', { class: 'leader' }, 'leader') : 'follower'),
          td('Voter', s.Voter ? 'yes' : 'no'))), { class: 'peers' })
        : h('p', { class: 'muted' }, raft.error ? `Raft configuration unavailable: ${raft.error.message}` : 'No Raft peers.'));
    ctx.rendered('cluster', members.length);
  }, ctx.error);
}
