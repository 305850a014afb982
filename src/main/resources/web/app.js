// The dashboard: one row per model, live from the daemon's WebSockets (no polling).
// /models/stream/identifiers says which model changed; the row is then fetched again.
// Each download's bar follows /model/{id}/download/progress.
'use strict';

const rows = new Map();      // model id -> <tr>
const progress = new Map();  // model id -> WebSocket

function readable(bytes) {
  if (bytes == null) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes, u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return (u === 0 ? v : v.toFixed(1)) + ' ' + units[u];
}

function eta(p) {
  if (!p.bytesPerSecond || !p.bytes || p.bytes.total <= 0) return '';
  const s = Math.round((p.bytes.total - p.bytes.downloaded) / p.bytesPerSecond);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s left` : `${s}s left`;
}

function state(m) {
  if (m.loaded) return 'loaded';
  if (m.downloading) return 'downloading';
  return m.downloaded ? 'downloaded' : 'available';
}

// With --api-key the daemon answers 401 until the page sends the key: it is asked for once and kept in
// this tab's session storage. WebSockets cannot send headers, so they carry it as ?api_key=.
const KEY = 'modeld-api-key';

function askForKey() {
  return new Promise((resolve) => {
    const dialog = document.getElementById('key-dialog');
    const form = dialog.querySelector('form');
    form.onsubmit = (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY, document.getElementById('key-input').value.trim());
      dialog.close();
      resolve();
    };
    if (!dialog.open) dialog.showModal();
  });
}

function authHeaders() {
  const key = sessionStorage.getItem(KEY);
  return key ? { Authorization: 'Bearer ' + key } : {};
}

function socket(path) {
  const key = sessionStorage.getItem(KEY);
  return new WebSocket(`ws://${location.host}${path}` + (key ? '?api_key=' + encodeURIComponent(key) : ''));
}

async function call(method, path, body) {
  for (;;) {
    const r = await fetch(path, {
      method,
      headers: Object.assign(body ? { 'Content-Type': 'application/json' } : {}, authHeaders()),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (r.status === 401) { await askForKey(); continue; }
    if (!r.ok) throw new Error((await r.text()).trim());
    return r.status === 204 ? null : r.json();
  }
}

function button(label, action) {
  const b = document.createElement('button');
  b.textContent = label;
  b.dataset.action = label.toLowerCase();
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await action(); } catch (e) { alert(e.message); } finally { b.disabled = false; }
  });
  return b;
}

function render(m) {
  let tr = rows.get(m.id);
  if (!tr) {
    tr = document.createElement('tr');
    tr.id = 'model-' + m.id;
    tr.innerHTML = '<td class="name"></td><td class="size"></td><td class="ram"></td><td class="state"></td>'
      + '<td class="progress"><div class="bar"><div></div></div><span class="progress-text"></span></td><td class="actions"></td>';
    tr.dataset.unique = m.unique || '';
    document.querySelector('#models tbody').appendChild(tr);
    rows.set(m.id, tr);
  }
  const s = state(m);
  tr.querySelector('.name').textContent = m.name + (m.unique ? ` (${m.unique})` : '');
  tr.querySelector('.size').textContent = readable(m.bytes && m.bytes.value);
  tr.querySelector('.ram').textContent = readable(m.ram && m.ram.value);
  const st = tr.querySelector('.state');
  st.textContent = s;
  st.className = 'state state-' + s;
  const actions = tr.querySelector('.actions');
  actions.replaceChildren();
  if (s === 'available' && m.source) actions.append(button('Download', () => call('POST', `/model/${m.id}/download`)));
  if (s === 'downloading') actions.append(button('Cancel', () => call('POST', `/model/${m.id}/download/cancel`)));
  if (s === 'downloaded') actions.append(button('Load', () => call('POST', `/model/${m.id}/load`)));
  if (s === 'loaded') actions.append(button('Unload', () => call('POST', `/model/${m.id}/unload`)));
  if (s === 'downloading') follow(m.id);
  if (s === 'downloaded' || s === 'loaded') {
    tr.querySelector('.bar > div').style.width = '100%';
  }
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
    const speed = p.bytesPerSecond ? readable(p.bytesPerSecond) + '/s' : '';
    tr.querySelector('.progress-text').textContent = p.status === 'IN-PROGRESS'
      ? `${p.percentage.toFixed(1)}% ${speed} ${eta(p)}` : p.status.toLowerCase() + (p.error ? ': ' + p.error : '');
    if (['COMPLETED', 'FAILED', 'CANCELED'].includes(p.status)) {
      ws.close();
      progress.delete(id);
    }
  };
  ws.onclose = () => progress.delete(id);
}

async function refreshMemory() {
  const m = await call('GET', '/memory');
  const pct = m.budget > 0 ? Math.min(100, (100 * m.used) / m.budget) : 0;
  document.getElementById('memory-bar').style.width = pct + '%';
  document.getElementById('memory-text').textContent = `${readable(m.used)} of ${readable(m.budget)}`;
}

async function refresh(id) {
  try {
    render(await call('GET', `/model/${id}`));
  } catch (e) {
    const tr = rows.get(id);   // deleted
    if (tr) { tr.remove(); rows.delete(id); }
  }
}

function listen() {
  const ws = socket('/models/stream/identifiers');
  ws.onmessage = async (e) => {
    const frame = JSON.parse(e.data);
    for (const item of frame.iterable) {
      if (item.deleted) {
        const tr = rows.get(item.model.id);
        if (tr) { tr.remove(); rows.delete(item.model.id); }
      } else if (rows.has(item.model.id) || frame.iterable.length === 1) {
        await refresh(item.model.id);
      }
    }
    refreshMemory();
  };
  ws.onclose = () => setTimeout(listen, 1000);
}

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

(async () => {
  const models = await call('GET', '/models');
  models.iterable.forEach(render);
  refreshMemory();
  listen();
})();
