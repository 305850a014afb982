// Live pictures of what the daemon does, from /stream/activity (one frame a second, pushed by the
// daemon): download speed per running download, memory per loaded model against the budget, and the
// tokens per second of each generation that ended, and the busy slots of each loaded model. The memory
// gauge in the header follows it too.
import { live, readable } from './api.js';
import { drawLines } from './charts.js';

const SPAN = 180000;
const downloads = new Map();   // name -> [[t, bytes/s]]
const memory = new Map();      // name -> [[t, bytes]]
const tokens = new Map();      // name -> [[t, tokens/s]]
let budget = 0;

function push(map, name, point) {
  if (!map.has(name)) map.set(name, []);
  const pts = map.get(name);
  pts.push(point);
  while (pts.length && pts[0][0] < Date.now() - SPAN) pts.shift();
}

function series(map) {
  return [...map.entries()].filter(([, pts]) => pts.length).map(([name, points]) => ({ name, points }));
}

function gauge(m) {
  const pct = m.budget > 0 ? Math.min(100, (100 * m.used) / m.budget) : 0;
  document.getElementById('memory-bar').style.width = pct + '%';
  document.querySelector('.gauge').setAttribute('aria-valuenow', Math.round(pct));
  document.getElementById('memory-text').textContent = `${readable(m.used)} of ${readable(m.budget)}`;
}

/** One bar per GPU beside the memory gauge: what the models' layers take there of what modeld may use. */
function deviceGauges(devices) {
  const box = document.getElementById('device-gauges');
  box.replaceChildren(...(devices || []).map((d) => {
    const pct = d.budget > 0 ? Math.min(100, (100 * d.used) / d.budget) : 0;
    const group = document.createElement('span');
    group.className = 'device';
    group.dataset.device = d.name;
    const label = document.createElement('span');
    label.textContent = d.name;
    label.title = d.description;
    const bar = document.createElement('div');
    bar.className = 'gauge';
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.setAttribute('aria-valuenow', String(Math.round(pct)));
    bar.setAttribute('aria-label', `${d.name} memory`);
    const fill = document.createElement('div');
    fill.style.width = pct + '%';
    bar.append(fill);
    const text = document.createElement('span');
    text.className = 'device-text';
    text.textContent = `${readable(d.used)} of ${readable(d.budget)}`;
    group.append(label, bar, text);
    return group;
  }));
}

/** Where a model's layers are, in words: all on the CPU, or how many of them on which GPU. */
function placement(m) {
  if (!m.gpuLayers) return '';
  return ` · ${m.gpuLayers} of ${m.layers} layers on ${m.device} (${readable(m.deviceBytes)})`;
}

function draw() {
  drawLines(document.getElementById('chart-downloads'), series(downloads), { span: SPAN, format: (v) => readable(v) + '/s' });
  drawLines(document.getElementById('chart-memory'), series(memory),
    { span: SPAN, format: readable, limit: budget, limitLabel: 'budget ' + readable(budget) });
  drawLines(document.getElementById('chart-tokens'), series(tokens), { span: SPAN, format: (v) => v.toFixed(1) });
}

/** A model's prompt cache in words: what its RAM tier holds of its bound, what is on disk, and its hits. */
function promptCache(c) {
  if (!c || !c.ramLimit) return ' · no prompt cache';
  return ` · prompt cache ${readable(c.ramBytes)} of ${readable(c.ramLimit)}`
    + (c.diskBytes ? `, ${readable(c.diskBytes)} on disk` : '')
    + `, ${c.hits} hit${c.hits === 1 ? '' : 's'}`;
}

/**
 * Each loaded model's slots as a row of boxes, the busy ones filled, and the count, context, KV cache and prompt
 * cache in words.
 */
function slots(models) {
  const list = document.getElementById('slots');
  list.replaceChildren(...models.map((m) => {
    const li = document.createElement('li');
    li.dataset.model = m.name;
    const boxes = document.createElement('span');
    boxes.className = 'boxes';
    for (let i = 0; i < (m.slots || 1); i++) {
      const b = document.createElement('span');
      b.className = i < (m.busySlots || 0) ? 'box busy' : 'box';
      boxes.append(b);
    }
    const text = document.createElement('span');
    text.className = 'count';
    text.textContent = `${m.name}: ${m.busySlots || 0} of ${m.slots || 1} busy`
      + (m.context ? ` · ${m.context.toLocaleString('en')} tokens a slot, KV ${m.kvCacheType}` : '')
      + promptCache(m.promptCache) + placement(m);
    li.append(boxes, text);
    return li;
  }));
  if (!models.length) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = 'no model loaded';
    list.append(li);
  }
}

export function startActivity() {
  live('/stream/activity', (f) => {
    budget = f.memory.budget;
    gauge(f.memory);
    deviceGauges(f.memory.devices);
    push(memory, 'all models', [f.at, f.memory.used]);
    for (const m of f.memory.models) push(memory, m.name, [f.at, m.resident || m.estimate]);
    for (const d of f.downloads) push(downloads, d.name, [f.at, d.bytesPerSecond]);
    for (const g of f.generations) push(tokens, g.name, [g.endedAt, g.tokensPerSecond]);
    slots(f.memory.models);
    draw();
  });
}
