// The models table: one row per model, live from /models/stream/identifiers (the row is fetched again
// when its model changes) and each download's bar from /model/{id}/download/progress. Pull by name, add
// by URL, and the model page.
import { call, socket, live, readable } from './api.js';
import { drawLines } from './charts.js';

const rows = new Map();      // model id -> <tr>
const models = new Map();    // model id -> the Model JSON last rendered
const progress = new Map();  // model id -> WebSocket
const listeners = [];        // called with the models whenever one changes

export function onModelsChanged(f) { listeners.push(f); }
export function allModels() { return [...models.values()]; }
function changed() { listeners.forEach((f) => f(allModels())); }

function eta(p) {
  if (!p.bytesPerSecond || !p.bytes || p.bytes.total <= 0) return '';
  const s = Math.round((p.bytes.total - p.bytes.downloaded) / p.bytesPerSecond);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s left` : `${s}s left`;
}

export function state(m) {
  if (m.loaded) return 'loaded';
  if (m.remote) return 'remote';
  if (m.downloading) return 'downloading';
  return m.downloaded ? 'downloaded' : 'available';
}

const reach = new Map();     // a remote host -> its last probe, from /remotes

/** The remote hosts' probes, every 15 s while the page is open: each remote row says whether its server answers. */
async function probeRemotes() {
  try {
    const r = await call('GET', '/remotes');
    reach.clear();
    r.hosts.forEach((h) => reach.set(h.host, h));
    for (const m of models.values()) if (m.remote) render(m);
  } catch (e) { /* a daemon without remotes, or the key not given yet: the rows say remote alone */ }
}

function remoteState(m) {
  const h = reach.get(m.remote.host);
  const where = m.remote.host.replace(/^https?:\/\//, '');
  if (!h) return `remote · ${where}`;
  return h.reachable ? `remote · ${where} · ${h.latencyMs} ms` : `remote · ${where} · down`;
}

function button(label, action, name) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.dataset.action = label.toLowerCase();
  b.setAttribute('aria-label', `${label} ${name}`);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await action(); } catch (e) { alert(e.message); } finally { b.disabled = false; }
  });
  return b;
}

/** Whether the model is the user's own (downloaded, being downloaded, made by them, found in their folders). */
function mine(m) { return Boolean(m.downloaded || m.downloading || m.custom || m.library || m.remote); }

/** Keeps the user's own models above the catalog's, each group in the order its rows came. */
function place(tr, m) {
  const body = tr.parentElement;
  tr.dataset.mine = mine(m) ? 'yes' : 'no';
  const all = [...body.children];
  if (tr.dataset.mine === 'yes') {
    const firstCatalog = all.find((r) => r.dataset.mine === 'no' && r !== tr);
    if (firstCatalog && all.indexOf(firstCatalog) < all.indexOf(tr)) body.insertBefore(tr, firstCatalog);
  } else {
    const lastMine = all.filter((r) => r.dataset.mine === 'yes' && r !== tr).pop();
    if (lastMine && all.indexOf(lastMine) > all.indexOf(tr)) lastMine.after(tr);
  }
}

function render(m) {
  if (m.alias) return;   // the Pieces SDKs' "GPT-3.5-turbo Chat Model": a name for another row, not a model
  models.set(m.id, m);
  let tr = rows.get(m.id);
  if (!tr) {
    tr = document.createElement('tr');
    tr.id = 'model-' + m.id;
    tr.innerHTML = '<th scope="row" class="name"></th><td class="role"></td><td class="size"></td><td class="ram"></td>'
      + '<td class="state"></td><td class="progress"><div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100">'
      + '<div></div></div><span class="progress-text"></span></td><td class="actions"></td>';
    document.querySelector('#models tbody').appendChild(tr);
    rows.set(m.id, tr);
  }
  const s = state(m);
  tr.querySelector('.name').textContent = m.name + (m.unique ? ` (${m.unique})` : '');
  tr.querySelector('.role').textContent = (m.role || '') + (m.capabilities && m.capabilities.images ? ' · vision' : '');
  place(tr, m);
  tr.querySelector('.size').textContent = readable(m.bytes && m.bytes.value);
  tr.querySelector('.ram').textContent = readable(m.ram && m.ram.value);
  const st = tr.querySelector('.state');
  st.textContent = s === 'remote' ? remoteState(m) : s;
  st.className = 'state state-' + s;
  if (s === 'remote' && reach.get(m.remote.host) && !reach.get(m.remote.host).reachable) {
    st.classList.add('state-down');
    st.title = reach.get(m.remote.host).error || '';
  }
  const actions = tr.querySelector('.actions');
  actions.replaceChildren();
  if (s === 'available' && m.source) actions.append(button('Download', () => call('POST', `/model/${m.id}/download`), m.name));
  if (s === 'downloading') actions.append(button('Cancel', () => call('POST', `/model/${m.id}/download/cancel`), m.name));
  if (s === 'downloaded') actions.append(button('Load', () => call('POST', `/model/${m.id}/load`), m.name));
  if (s === 'loaded') actions.append(button('Unload', () => call('POST', `/model/${m.id}/unload`), m.name));
  actions.append(button('Details', () => showPage(m.id), m.name));
  if (s === 'downloading') follow(m.id);
  if (s === 'downloaded' || s === 'loaded') tr.querySelector('.bar > div').style.width = '100%';
  changed();
}

function follow(id) {
  if (progress.has(id)) return;
  const ws = socket(`/model/${id}/download/progress`);
  progress.set(id, ws);
  ws.onmessage = (e) => {
    const p = JSON.parse(e.data);
    const tr = rows.get(id);
    if (!tr) return;
    tr.querySelector('.bar > div').style.width = p.percentage + '%';
    tr.querySelector('.bar').setAttribute('aria-valuenow', Math.round(p.percentage));
    const speed = p.bytesPerSecond ? readable(p.bytesPerSecond) + '/s' : '';
    tr.querySelector('.progress-text').textContent = p.status === 'IN-PROGRESS'
      ? `${p.percentage.toFixed(1)}% ${speed} ${eta(p)}` : p.status.toLowerCase() + (p.error ? ': ' + p.error : '');
    if (['COMPLETED', 'FAILED', 'CANCELED'].includes(p.status)) { ws.close(); progress.delete(id); }
  };
  ws.onclose = () => progress.delete(id);
}

async function refresh(id) {
  try {
    render(await call('GET', `/model/${id}`));
  } catch (e) {
    const tr = rows.get(id);   // deleted
    if (tr) { tr.remove(); rows.delete(id); models.delete(id); changed(); }
  }
}

// ---- the model page

function fact(dl, name, value) {
  if (value == null || value === '') return;
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dl.append(dt, dd);
}

export async function showPage(id) {
  const d = await call('GET', `/model/${id}/details`);
  const page = document.getElementById('model-page');
  document.getElementById('page-title').textContent = d.name;
  const dl = document.getElementById('page-facts');
  dl.replaceChildren();
  const g = d.gguf || {};
  fact(dl, 'Role', d.role);
  fact(dl, 'Ollama name', d.ollama);
  fact(dl, 'Unique name', d.unique);
  fact(dl, 'Architecture', g.architecture || (d.spec && d.spec.family));
  fact(dl, 'Context', g.context);
  fact(dl, 'Quantization', g.quantization || (d.spec && d.spec.quantization));
  fact(dl, 'Parameters', g.parameters != null ? g.parameters.toLocaleString() : null);
  fact(dl, 'Tensors', g.tensors);
  fact(dl, 'Source', d.spec && d.spec.source && d.spec.source.url);
  fact(dl, 'SHA-256', d.file && d.file.sha256);
  fact(dl, 'Version at the source', d.file && d.file.origin);
  fact(dl, 'Lies in', d.file && (d.file.where === 'store' ? 'modeld\'s store' : 'library root: ' + d.file.where));
  fact(dl, 'Files', d.file && d.file.paths.join('\n'));
  fact(dl, 'Projector', d.file && d.file.projector);
  fact(dl, 'Size', d.file && readable(d.file.size));
  fact(dl, 'Last failure', d.failure);
  document.getElementById('page-template').textContent = g.chatTemplate || '(none)';
  const meta = document.querySelector('#page-metadata tbody');
  meta.replaceChildren();
  for (const [k, v] of Object.entries(g.metadata || {})) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = k;
    const td = document.createElement('td');
    td.textContent = v;
    tr.append(th, td);
    meta.append(tr);
  }
  const history = d.downloadHistory || [];
  const span = history.length ? Math.max(5000, Date.now() - history[0].at + 1000) : 60000;
  drawLines(document.getElementById('page-history'),
    [{ name: 'download speed', points: history.map((p) => [p.at, p.bytesPerSecond]) }],
    { span, format: (v) => readable(v) + '/s' });
  page.hidden = false;
  page.dataset.model = id;
  page.scrollIntoView({ block: 'nearest' });
  document.getElementById('page-close').focus();
}

// ---- forms

document.getElementById('page-close').addEventListener('click', () => { document.getElementById('model-page').hidden = true; });

document.getElementById('pull').addEventListener('submit', async (e) => {
  e.preventDefault();
  const error = document.getElementById('pull-error');
  error.textContent = '';
  try {
    render(await call('POST', '/models/pull', { name: document.getElementById('pull-name').value }));
    e.target.reset();
  } catch (err) {
    error.textContent = err.message;
  }
});

document.getElementById('add').addEventListener('submit', async (e) => {
  e.preventDefault();
  const error = document.getElementById('add-error');
  error.textContent = '';
  const body = { name: document.getElementById('add-name').value, source: { url: document.getElementById('add-url').value } };
  const sha = document.getElementById('add-sha').value.trim();
  if (sha) body.source.sha256 = sha;
  try {
    render(await call('POST', '/models/create', body));
    e.target.reset();
  } catch (err) {
    error.textContent = err.message;
  }
});

export async function startModels(onAnyChange) {
  const list = await call('GET', '/models');
  list.iterable.forEach(render);
  probeRemotes();
  setInterval(probeRemotes, 15000);
  live('/models/stream/identifiers', async (frame) => {
    if (frame.iterable.length > 20) {          // a snapshot (on connect): one request for all of them
      const all = await call('GET', '/models');
      all.iterable.forEach(render);
      onAnyChange();
      return;
    }
    for (const item of frame.iterable) {
      if (item.deleted) {
        const tr = rows.get(item.model.id);
        if (tr) { tr.remove(); rows.delete(item.model.id); models.delete(item.model.id); changed(); }
      } else {
        await refresh(item.model.id);
      }
    }
    onAnyChange();
  });
}
