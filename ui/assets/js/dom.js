// Building DOM nodes. Every string becomes a text node or an attribute value, never markup:
// names, tags, check output and KV values from the agent cannot inject HTML.

/** h('a', {href: '...', class: 'x'}, 'text', child, [more]) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'readOnly' || k === 'hidden') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table with a header row; `rows` are arrays of cells (a cell is content or a <td>). */
export function table(headers, rows, props) {
  return h('table', props || {},
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows));
}

/**
 * Makes `parent`'s children `nodes`: when the rows kept their places (same count, each either
 * new or where it was), only the changed ones are swapped; otherwise all are replaced.
 */
export function patch(parent, nodes) {
  const old = parent.children;
  const inPlace = old.length === nodes.length && nodes.every((n, i) => !n.isConnected || old[i] === n);
  if (!inPlace) {
    parent.replaceChildren(...nodes);
    return;
  }
  nodes.forEach((n, i) => { if (old[i] !== n) old[i].replaceWith(n); });
}

/** A table cell labelled for the narrow layout (each row becomes a card). */
export function td(label, ...content) {
  return h('td', { 'data-label': label }, ...content);
}

export const plural = (n, one, many) => `${n} ${n === 1 ? one : (many || one + 's')}`;
