// Line charts in plain SVG, drawn from points the page collects from the daemon's WebSockets: no
// library, nothing fetched from elsewhere. Each series is a polyline whose data-points attribute says
// how many points it has.
const NS = 'http://www.w3.org/2000/svg';
const COLORS = ['#3478f6', '#1a7f37', '#d97706', '#c62828', '#7c3aed', '#0891b2'];

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

/**
 * Draws series ([{name, points: [[t, v], ...]}]) over the last `span` ms into svg; `format` writes a value;
 * `limit` is an optional horizontal line (a budget) with its label.
 */
export function drawLines(svg, series, { span = 120000, format = String, limit = null, limitLabel = '' } = {}) {
  const W = 600, H = 160, L = 60, B = 20, T = 8;
  const now = Date.now();
  const from = now - span;
  let max = limit || 0;
  for (const s of series) for (const [, v] of s.points) max = Math.max(max, v);
  max = max > 0 ? max * 1.1 : 1;
  const x = (t) => L + ((t - from) / span) * (W - L - 4);
  const y = (v) => T + (1 - v / max) * (H - T - B);
  svg.replaceChildren();
  svg.append(el('line', { x1: L, y1: H - B, x2: W - 4, y2: H - B, class: 'axis' }));
  svg.append(el('text', { x: L - 6, y: T + 10, 'text-anchor': 'end', class: 'tick' }, format(max)));
  svg.append(el('text', { x: L - 6, y: H - B, 'text-anchor': 'end', class: 'tick' }, format(0)));
  svg.append(el('text', { x: W - 4, y: H - 4, 'text-anchor': 'end', class: 'tick' }, 'now'));
  svg.append(el('text', { x: L, y: H - 4, class: 'tick' }, `-${Math.round(span / 1000)} s`));
  if (limit) {
    svg.append(el('line', { x1: L, y1: y(limit), x2: W - 4, y2: y(limit), class: 'limit' }));
    svg.append(el('text', { x: W - 6, y: y(limit) - 3, 'text-anchor': 'end', class: 'tick' }, limitLabel));
  }
  series.forEach((s, i) => {
    const pts = s.points.filter(([t]) => t >= from);
    const color = COLORS[i % COLORS.length];
    const line = el('polyline', { points: pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' '),
      fill: 'none', stroke: color, 'stroke-width': 2, 'data-points': pts.length, class: 'series' });
    line.append(el('title', {}, s.name));
    svg.append(line);
    for (const [t, v] of pts.length <= 60 ? pts : []) {
      svg.append(el('circle', { cx: x(t).toFixed(1), cy: y(v).toFixed(1), r: 2.5, fill: color }));
    }
    svg.append(el('text', { x: L + 6 + (i % 3) * 180, y: T + 12 + Math.floor(i / 3) * 12, fill: color, class: 'legend' }, s.name));
  });
}
