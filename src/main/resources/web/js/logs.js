// The daemon's log, live from /logs/stream: the last lines first, then each new one.
import { live } from './api.js';

const KEEP = 500;

export function startLogs() {
  const pre = document.getElementById('log-lines');
  let lines = [];
  live('/logs/stream', (f) => {
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    lines = lines.concat(f.lines).slice(-KEEP);
    pre.textContent = lines.join('\n');
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  });
}
