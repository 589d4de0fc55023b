// The HTTP API as the UI uses it: the token header, `?dc` for another datacenter, plain-text
// errors, and blocking queries that keep a view live (one open request per view; back-off on
// errors). The number of requests in flight is kept on <html data-open-requests> so tests and
// benchmarks can see what a page holds open.

import { settings } from './settings.js';

const TOKEN_KEY = 'sd-ui-token';
let inFlight = 0;
const track = (d) => {
  inFlight += d;
  document.documentElement.dataset.openRequests = String(inFlight);
};

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY) || '',
  set: (t) => (t ? localStorage.setItem(TOKEN_KEY, t) : localStorage.removeItem(TOKEN_KEY)),
};

/** An answer other than 2xx: the status and the agent's plain-text message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
  }
}

/** `/v1/<path>?<params>`; `dc` is added when it is not the agent's own. */
export function url(path, params, dc) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === false) continue;
    q.append(k, v === true ? '' : String(v));
  }
  if (dc && dc !== settings.datacenter) q.set('dc', dc);
  const qs = q.toString().replace(/=(&|$)/g, '$1'); // flags as Consul writes them: ?keys&recurse
  return `/v1/${path}${qs ? '?' + qs : ''}`;
}

/** One request; resolves to {status, index, body (parsed JSON or text)}. */
export async function request(method, path, { params, dc, body, signal } = {}) {
  const headers = {};
  const t = token.get();
  if (t) headers['X-Consul-Token'] = t;
  track(1);
  try {
    const resp = await fetch(url(path, params, dc), { method, headers, body, signal, cache: 'no-store' });
    const text = await resp.text();
    const index = Number(resp.headers.get('X-Consul-Index') || 0);
    if (resp.status === 404) return { status: 404, index, body: null };
    if (!resp.ok) {
      const why = resp.status === 403 ? `${text.trim() || 'Permission denied'}: set an ACL token with the Token button` : text.trim();
      throw new ApiError(resp.status, why);
    }
    const type = resp.headers.get('Content-Type') || '';
    return { status: resp.status, index, body: type.includes('json') ? JSON.parse(text) : text };
  } finally {
    track(-1);
  }
}

export const get = (path, opts) => request('GET', path, opts);

/**
 * Keeps `path` live: calls onData(body, index) with the first answer and again after each
 * change, through blocking queries (`?index=`). Errors go to onError(err, retryInMs) and are
 * retried with back-off (1 s doubling to 30 s). Returns stop().
 */
export function watch(path, params, dc, onData, onError) {
  const ctl = new AbortController();
  let index = 0;
  let backoff = 1000;
  (async () => {
    while (!ctl.signal.aborted) {
      try {
        const r = await request('GET', path, {
          params: { ...params, index: index || undefined, wait: index ? '5m' : undefined },
          dc,
          signal: ctl.signal,
        });
        backoff = 1000;
        // An index that goes backwards (a restored snapshot, another server) starts over.
        if (r.index < index) { index = 0; continue; }
        if (index && r.index === index) continue; // the wait ended with no change
        index = r.index || index;
        if (!ctl.signal.aborted) onData(r.body, r.index);
        if (!r.index) await sleep(3000, ctl.signal); // not a blocking endpoint: poll
      } catch (err) {
        if (ctl.signal.aborted) return;
        onError(err, backoff);
        await sleep(backoff, ctl.signal);
        backoff = Math.min(backoff * 2, 30000);
      }
    }
  })();
  return () => ctl.abort();
}

/** Calls load() now and every `ms` (for endpoints without blocking queries). */
export function poll(ms, load, onData, onError) {
  const ctl = new AbortController();
  (async () => {
    while (!ctl.signal.aborted) {
      try {
        const data = await load(ctl.signal);
        if (!ctl.signal.aborted) onData(data);
        await sleep(ms, ctl.signal);
      } catch (err) {
        if (ctl.signal.aborted) return;
        onError(err, ms);
        await sleep(ms, ctl.signal);
      }
    }
  })();
  return () => ctl.abort();
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
