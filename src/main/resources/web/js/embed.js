// Embeddings and reranking: texts in, a cosine similarity matrix (embedders) or a ranked list (rerankers) out.
import { call } from './api.js';

const $ = (id) => document.getElementById(id);
let roles = new Map();   // option value -> role

export function fillModels(list) {
  const select = $('embed-model');
  const chosen = select.value;
  const usable = list.filter((m) => (m.downloaded || m.remote) && (m.role === 'embedder' || m.role === 'reranker'));
  roles = new Map(usable.map((m) => [m.unique || m.id, m.role]));
  select.replaceChildren(...usable.map((m) => new Option(`${m.unique || m.name} (${m.role})`, m.unique || m.id)));
  if (roles.has(chosen)) select.value = chosen;
  showQuery();
}

function showQuery() {
  $('embed-query-label').hidden = roles.get($('embed-model').value) !== 'reranker';
}

function cosine(a, b) {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;   // the daemon's vectors are L2-normalised
}

function table(head, rows) {
  const t = document.createElement('table');
  t.className = 'result';
  const tr = t.createTHead().insertRow();
  head.forEach((h) => { const th = document.createElement('th'); th.scope = 'col'; th.textContent = h; tr.append(th); });
  const body = t.createTBody();
  rows.forEach((r) => {
    const row = body.insertRow();
    r.forEach((c, i) => {
      const cell = i === 0 ? document.createElement('th') : document.createElement('td');
      if (i === 0) cell.scope = 'row';
      cell.textContent = c;
      row.append(cell);
    });
  });
  return t;
}

$('embed-model').addEventListener('change', showQuery);
$('embed-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('embed-error').textContent = '';
  const model = $('embed-model').value;
  const texts = $('embed-texts').value.split('\n').map((s) => s.trim()).filter(Boolean);
  const result = $('embed-result');
  result.replaceChildren();
  if (!model || !texts.length) { $('embed-error').textContent = 'choose a model and give at least one text'; return; }
  try {
    if (roles.get(model) === 'reranker') {
      const r = await call('POST', '/v1/rerank', { model, query: $('embed-query').value, documents: texts });
      result.append(table(['#', 'score', 'text'], r.results.map((x, i) => [String(i + 1), x.relevance_score.toFixed(4), texts[x.index]])));
    } else {
      const r = await call('POST', '/v1/embeddings', { model, input: texts });
      const v = r.data.map((d) => d.embedding);
      result.append(table([''].concat(texts.map((t, i) => `${i + 1}`)),
        v.map((a, i) => [`${i + 1}. ${texts[i]}`].concat(v.map((b) => cosine(a, b).toFixed(3))))));
      const note = document.createElement('p');
      note.className = 'muted';
      note.textContent = `${v.length} vectors of ${v[0].length} dimensions · ${r.usage.prompt_tokens} tokens · cosine similarity`;
      result.append(note);
    }
  } catch (err) {
    $('embed-error').textContent = err.message;
  }
});
