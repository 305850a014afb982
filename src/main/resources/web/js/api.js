// How the page talks to the daemon: fetch with the API key when one is set, WebSockets with ?api_key=.
// With --api-key the daemon answers 401 until the page sends the key: it is asked for once and kept in
// this tab's session storage.
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

export function authHeaders() {
  const key = sessionStorage.getItem(KEY);
  return key ? { Authorization: 'Bearer ' + key } : {};
}

export function socket(path) {
  const key = sessionStorage.getItem(KEY);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WebSocket(`${scheme}://${location.host}${path}` + (key ? '?api_key=' + encodeURIComponent(key) : ''));
}

/** A socket that reconnects a second after it closes, calling onFrame with each parsed frame. */
export function live(path, onFrame) {
  const open = () => {
    const ws = socket(path);
    ws.onmessage = (e) => onFrame(JSON.parse(e.data));
    ws.onclose = () => setTimeout(open, 1000);
  };
  open();
}

/** A request whose answer is JSON (null for 204); a refusal throws with the daemon's message. */
export async function call(method, path, body, signal) {
  for (;;) {
    const r = await fetch(path, {
      method,
      signal,
      headers: Object.assign(body ? { 'Content-Type': 'application/json' } : {}, authHeaders()),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (r.status === 401) { await askForKey(); continue; }
    if (!r.ok) throw new Error(errorText(await r.text()));
    return r.status === 204 ? null : r.json();
  }
}

/** The message of an error body in any of the three shapes, or the text itself. */
export function errorText(text) {
  try {
    const j = JSON.parse(text);
    if (typeof j.error === 'string') return j.error;
    if (j.error && j.error.message) return j.error.message;
    if (j.message) return j.message;
  } catch (e) { /* not JSON */ }
  return text.trim();
}

export function readable(bytes) {
  if (bytes == null || bytes < 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes, u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return (u === 0 ? v : v.toFixed(1)) + ' ' + units[u];
}
