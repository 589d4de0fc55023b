// Key/Value: browse folders (keys ending in /), create keys and folders, edit a key and delete
// with confirmation. Saves use check-and-set on the index the editor loaded, so an edit made
// meanwhile by someone else is reported, never overwritten unseen. JSON values are shown
// formatted and validated before a save. Folder and key views are one blocking query each.

import { h, fill, table, td, plural } from '../dom.js';
import { request, watch } from '../api.js';
import { heading, empty } from '../components.js';
import { href } from '../route.js';

export const title = (r) => (r.key ? r.key : 'Key/Value');

const kvPath = (key) => 'kv/' + key.split('/').map(encodeURIComponent).join('/');
const parentOf = (key) => key.slice(0, key.replace(/\/$/, '').lastIndexOf('/') + 1);

/** A stored value as text: {text, binary}. Non-UTF-8 values are shown as base64, read-only. */
function decode(b64) {
  if (!b64) return { text: '', binary: false };
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), binary: false };
  } catch {
    return { text: b64, binary: true };
  }
}

/** Pretty JSON when `text` is a JSON object or array, else null. */
function asJson(text) {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

function crumbs(dc, key) {
  const parts = key.split('/').filter(Boolean);
  const out = [h('a', { href: href(dc, 'kv', '') }, 'Key/Value')];
  let path = '';
  for (const p of parts.slice(0, key.endsWith('/') ? parts.length : -1)) {
    path += p + '/';
    out.push(' / ', h('a', { href: href(dc, 'kv', path) }, p));
  }
  return h('p', { class: 'crumbs' }, out, ' /');
}

export function mount(main, ctx) {
  const { key, mode } = ctx.route;
  if (mode === 'folder') return folder(main, ctx, key);
  if (mode === 'create') return create(main, ctx, key);
  return editor(main, ctx, key);
}

function folder(main, ctx, prefix) {
  const summary = h('span', { class: 'muted' });
  const list = h('div', { class: 'list' }, h('p', { class: 'muted' }, 'Loading…'));
  const note = h('p', { class: 'note', role: 'alert', hidden: true });
  const name = prefix ? prefix.replace(/\/$/, '').split('/').pop() + '/' : 'Key/Value';
  fill(main, prefix ? crumbs(ctx.dc, parentOf(prefix)) : null,
    heading(name, summary,
      h('a', { class: 'button primary', href: href(ctx.dc, 'kv', prefix, 'create'), id: 'kv-create' }, 'Create')),
    note, list);

  async function remove(key) {
    const folderKey = key.endsWith('/');
    const what = folderKey ? `the folder ${key} and every key under it` : `the key ${key}`;
    if (!confirm(`Delete ${what}?`)) return;
    try {
      await request('DELETE', kvPath(key), { params: { recurse: folderKey }, dc: ctx.dc });
    } catch (err) {
      note.hidden = false;
      note.textContent = `Not deleted: ${err.message}`;
    }
  }

  return watch(kvPath(prefix), { keys: true, separator: '/' }, ctx.dc, (keys) => {
    ctx.ok();
    keys = (keys || []).filter((k) => k !== prefix);
    summary.textContent = plural(keys.length, 'entry', 'entries');
    if (!keys.length) {
      fill(list, empty(prefix ? 'This folder is empty.' : 'There are no keys yet.'));
      ctx.rendered('kv', 0);
      return;
    }
    fill(list, table(['Name', ''], keys.map((k) => {
      const isFolder = k.endsWith('/');
      const label = k.slice(prefix.length);
      return h('tr', { dataset: { key: k } },
        td('Name', h('a', { href: href(ctx.dc, 'kv', k, isFolder ? '' : 'edit'), class: isFolder ? 'folder' : 'key' }, label)),
        td('', h('button', { type: 'button', class: 'quiet danger', onclick: () => remove(k), 'aria-label': `Delete ${k}` }, 'Delete')));
    }), { class: 'kv' }));
    ctx.rendered('kv', keys.length);
  }, ctx.error);
}

/** The value editor shared by create and edit: a textarea and the JSON switch. */
function valueField(initial) {
  const json = asJson(initial);
  const area = h('textarea', { id: 'kv-value', rows: 14, spellcheck: 'false', 'aria-label': 'Value' });
  area.value = json ?? initial;
  const isJson = h('input', { type: 'checkbox', id: 'kv-json', checked: json !== null });
  const error = h('p', { class: 'note error', role: 'alert', hidden: true });
  return {
    area, isJson, error,
    node: h('div', { class: 'editor' }, area,
      h('label', { class: 'check' }, isJson, ' JSON (validated before saving, shown formatted)'), error),
    /** The text to save, or null (with the error shown) when the JSON switch is on and it is not JSON. */
    value() {
      error.hidden = true;
      if (!isJson.checked) return area.value;
      try {
        JSON.parse(area.value);
        return area.value;
      } catch (err) {
        error.hidden = false;
        error.textContent = `Not saved: the value is not valid JSON (${err.message}).`;
        return null;
      }
    },
    set(text) {
      const j = asJson(text);
      area.value = j ?? text;
      isJson.checked = j !== null;
    },
  };
}

function create(main, ctx, prefix) {
  const name = h('input', { id: 'kv-key', required: true, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'kv-key-help' });
  const field = valueField('');
  const note = h('p', { class: 'note error', role: 'alert', hidden: true });
  const form = h('form', { class: 'kv-form' },
    h('label', { for: 'kv-key' }, 'Key'),
    h('div', { class: 'prefixed' }, prefix ? h('code', {}, prefix) : null, name),
    h('p', { class: 'muted small', id: 'kv-key-help' }, 'End the name with / to create a folder.'),
    field.node, note,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'kv-save' }, 'Save'),
      h('a', { class: 'button quiet', href: href(ctx.dc, 'kv', prefix) }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    note.hidden = true;
    const key = prefix + name.value;
    if (!name.value || key.startsWith('/')) {
      note.hidden = false;
      note.textContent = 'Give the key a name (it must not start with /).';
      return;
    }
    const isFolder = key.endsWith('/');
    const value = isFolder ? '' : field.value();
    if (value === null) return;
    try {
      const r = await request('PUT', kvPath(key), { params: { cas: 0 }, body: value, dc: ctx.dc });
      if (r.body === false) {
        note.hidden = false;
        fill(note, 'Not saved: ', h('a', { href: href(ctx.dc, 'kv', key, isFolder ? '' : 'edit') }, key), ' already exists.');
        return;
      }
      ctx.navigate(href(ctx.dc, 'kv', key, isFolder ? '' : 'edit'));
    } catch (err) {
      note.hidden = false;
      note.textContent = `Not saved: ${err.message}`;
    }
  });
  fill(main, crumbs(ctx.dc, prefix), heading(prefix ? `New key in ${prefix}` : 'New key'), form);
  name.focus();
  ctx.rendered('kv-create', 0);
  return () => {};
}

function editor(main, ctx, key) {
  const info = h('span', { class: 'muted' });
  const note = h('div', { class: 'note', role: 'alert', hidden: true });
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(main, crumbs(ctx.dc, key), heading(key.split('/').pop(), info), note, body);
  const field = valueField('');
  let base = null; // the ModifyIndex the text in the editor is based on (0: the key is gone)
  let original = ''; // the text as loaded, to tell whether the user changed it
  let binary = false;

  const show = (kind, ...content) => {
    note.hidden = false;
    note.className = `note ${kind}`;
    fill(note, ...content);
  };

  async function save(ev) {
    ev.preventDefault();
    const value = field.value();
    if (value === null) return;
    try {
      const r = await request('PUT', kvPath(key), { params: { cas: base ?? 0 }, body: value, dc: ctx.dc });
      if (r.body === true) {
        original = field.area.value;
        // The next save or delete checks against the index this save made.
        const saved = await request('GET', kvPath(key), { dc: ctx.dc });
        const entry = saved.body && saved.body[0];
        if (entry && decode(entry.Value).text === value) base = entry.ModifyIndex;
        show('ok', 'Saved.');
        return;
      }
      const now = await request('GET', kvPath(key), { dc: ctx.dc });
      const entry = now.body && now.body[0];
      base = entry ? entry.ModifyIndex : 0;
      show('error conflict',
        h('strong', {}, 'Not saved: '),
        entry ? `someone else changed ${key} since you opened it (it is now at index ${entry.ModifyIndex}). Their value is below; Save again to replace it with yours.`
          : `someone else deleted ${key} since you opened it. Save again to create it with your value.`,
        entry ? h('pre', { class: 'output' }, decode(entry.Value).text) : null);
    } catch (err) {
      show('error', `Not saved: ${err.message}`);
    }
  }

  async function remove() {
    if (!confirm(`Delete the key ${key}?`)) return;
    try {
      const r = await request('DELETE', kvPath(key), { params: { cas: base ?? 0 }, dc: ctx.dc });
      if (r.body === false) {
        show('error conflict', `Not deleted: ${key} changed since you opened it. Look at its new value first.`);
        return;
      }
      ctx.navigate(href(ctx.dc, 'kv', parentOf(key)));
    } catch (err) {
      show('error', `Not deleted: ${err.message}`);
    }
  }

  const form = h('form', { class: 'kv-form' }, field.node,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'kv-save' }, 'Save'),
      h('button', { type: 'button', class: 'danger', id: 'kv-delete', onclick: remove }, 'Delete')));
  form.addEventListener('submit', save);

  return watch(kvPath(key), {}, ctx.dc, (entries) => {
    ctx.ok();
    const entry = entries && entries[0];
    if (!entry) {
      if (base === null) {
        fill(body, empty(`There is no key ${key}.`), h('a', { class: 'button', href: href(ctx.dc, 'kv', parentOf(key), 'create') }, 'Create a key'));
      } else {
        show('error', `${key} was deleted by someone else. Save to create it again with the text below.`);
        base = 0;
      }
      ctx.rendered('kv-edit', 0);
      return;
    }
    const v = decode(entry.Value);
    const unchanged = base === null || field.area.value === original;
    info.textContent = `index ${entry.ModifyIndex} · flags ${entry.Flags}` + (entry.Session ? ` · locked by session ${entry.Session}` : '');
    if (unchanged || (field.isJson.checked ? asJson(v.text) : v.text) === field.area.value) {
      const first = base === null;
      base = entry.ModifyIndex;
      binary = v.binary;
      field.set(v.text);
      original = field.area.value;
      field.area.readOnly = binary;
      if (first) fill(body, binary ? h('p', { class: 'note' }, 'This value is not UTF-8 text; it is shown as base64 and cannot be edited here.') : null, form);
    } else if (entry.ModifyIndex !== base) {
      show('error', `${key} changed elsewhere (now at index ${entry.ModifyIndex}) while you were editing. Saving will report the conflict first.`);
    }
    ctx.rendered('kv-edit', 1);
  }, ctx.error);
}
