// The agent's settings for this page, from the <meta> index.html was rendered with.

function read() {
  const meta = document.querySelector('meta[name="sd-ui-settings"]');
  try {
    return JSON.parse(meta ? meta.content : '{}');
  } catch {
    return {}; // a copy of index.html served by something else: the defaults below
  }
}

const s = read();
export const settings = {
  contentPath: typeof s.ContentPath === 'string' ? s.ContentPath : '/ui/',
  datacenter: s.Datacenter || '',
  nodeName: s.NodeName || '',
  version: s.Version || '',
};
