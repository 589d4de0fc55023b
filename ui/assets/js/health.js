// Health: Consul's three states, their order and how a set of checks adds up.

export const STATES = ['passing', 'warning', 'critical'];
const RANK = { passing: 0, warning: 1, critical: 2 };
const MARK = { passing: '✓', warning: '!', critical: '✗' };

/** The worst status among `checks` (passing when there are none). */
export function worst(checks) {
  let w = 'passing';
  for (const c of checks || []) if ((RANK[c.Status] ?? 2) > RANK[w]) w = c.Status in RANK ? c.Status : 'critical';
  return w;
}

/** {passing, warning, critical} counts of `checks`. */
export function counts(checks) {
  const n = { passing: 0, warning: 0, critical: 0 };
  for (const c of checks || []) if (c.Status in n) n[c.Status] += 1;
  return n;
}

export const mark = (status) => MARK[status] || '?';
