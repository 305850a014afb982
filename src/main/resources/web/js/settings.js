// Run-time settings through GET and PUT /settings: applied at once, kept across restarts.
import { call, readable } from './api.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['memoryBudget', 'keepAlive', 'maxBandwidth', 'maxDownloads'];

function show(s) {
  $('set-memoryBudget').value = readable(s.memoryBudget).replace(' ', '');
  $('set-keepAlive').value = s.keepAlive;
  $('set-maxBandwidth').value = s.maxBandwidth ? readable(s.maxBandwidth).replace(' ', '') + '/s' : 'off';
  $('set-maxDownloads').value = s.maxDownloads;
}

export async function loadSettings() {
  show(await call('GET', '/settings'));
}

$('settings-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('settings-error').textContent = '';
  $('settings-status').textContent = '';
  const body = {};
  for (const f of FIELDS) {
    const v = $('set-' + f).value.trim();
    if (v) body[f] = f === 'maxDownloads' ? Number(v) : v;
  }
  try {
    show(await call('PUT', '/settings', body));
    $('settings-status').textContent = 'saved';
  } catch (err) {
    $('settings-error').textContent = err.message;
  }
});
