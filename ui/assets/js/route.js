// The UI's URLs, in Consul's UI scheme under the content path:
//   <dc>/services, <dc>/services/<name>[/instances], <dc>/nodes, <dc>/nodes/<node>,
//   <dc>/kv/<folder>/, <dc>/kv/<key>/edit, <dc>/kv/<folder>/create,
// and sd's own <dc>/cluster and <dc>/changes.

import { settings } from './settings.js';

const seg = (s) => encodeURIComponent(s);
/** A KV path keeps its slashes; each part is encoded. */
const kvPath = (p) => p.split('/').map(seg).join('/');

export function href(dc, view, ...parts) {
  let path = `${settings.contentPath}${seg(dc)}/${view}`;
  if (view === 'kv') {
    const [key, mode] = parts;
    path += '/' + kvPath(key || '');
    if (mode === 'edit') path += '/edit';
    if (mode === 'create') path += 'create';
    return path;
  }
  for (const p of parts) path += '/' + seg(p);
  return path;
}

/** {dc, view, name, key, mode} from a location's path; null when it is not the UI's. */
export function parse(pathname) {
  const base = settings.contentPath;
  if (!pathname.startsWith(base) && pathname + '/' !== base) return null;
  const rest = pathname.slice(base.length);
  const raw = rest.split('/');
  const dec = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
  const dc = dec(raw[0] || '');
  const view = raw[1] || '';
  const r = { dc, view, name: '', key: '', mode: '' };
  if (view === 'kv') {
    let key = raw.slice(2).map(dec).join('/');
    if (key.endsWith('/edit')) { r.mode = 'edit'; key = key.slice(0, -5); }
    else if (key === 'create' || key.endsWith('/create')) { r.mode = 'create'; key = key.slice(0, -6); }
    else if (key === '' || key.endsWith('/')) r.mode = 'folder';
    else r.mode = 'edit';
    r.key = key;
  } else if (raw.length > 2) {
    r.name = dec(raw[2]);
    r.mode = raw[3] ? dec(raw[3]) : '';
  }
  return r;
}
