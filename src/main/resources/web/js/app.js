// The dashboard: tabs (keyboard: arrows, Home, End), then each view starts its live sources.
import { startModels, allModels, onModelsChanged } from './models.js';
import { fillModels as chatModels, listConversations } from './chat.js';
import { fillModels as embedModels } from './embed.js';
import { startActivity } from './activity.js';
import { loadSettings } from './settings.js';
import { startLogs } from './logs.js';

const tabs = [...document.querySelectorAll('[role=tab]')];

function select(tab, focus) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (focus) tab.focus();
  history.replaceState(null, '', '#' + tab.id.replace('tab-', ''));
  if (tab.id === 'tab-settings') loadSettings();
  if (tab.id === 'tab-chat') listConversations().catch(() => {});
}

tabs.forEach((t, i) => {
  t.addEventListener('click', () => select(t, false));
  t.addEventListener('keydown', (e) => {
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to == null) return;
    e.preventDefault();
    select(tabs[(to + tabs.length) % tabs.length], true);
  });
});

onModelsChanged((list) => { chatModels(list); embedModels(list); });

(async () => {
  const start = tabs.find((t) => t.id === 'tab-' + location.hash.slice(1));
  if (start) select(start, false);
  await startModels(() => {});
  chatModels(allModels());
  embedModels(allModels());
  startActivity();
  startLogs();
})();
