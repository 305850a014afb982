// Chat with a downloaded generator through /v1/chat/completions, streamed: tokens appear as they come,
// Stop aborts the request (the daemon stops the generation when its client leaves), and the answer is
// shown as safe Markdown. A reasoning model's thinking (reasoning_content) streams into a folded
// "Thinking" box above its answer. Each turn is kept in the daemon's store as a Pieces conversation
// (/conversations/create, /messages/create), the same ones the Pieces SDKs' Copilot keeps: the list
// reopens one, Delete removes it, New starts another. With tools given (OpenAI's function tools), the model's
// calls show as folded boxes with their arguments, each with a field for its result, which the user answers;
// the results go back as tool messages and the model goes on (the calls and results are not stored). Images
// and clips, attached or pasted, go with the message as OpenAI's image_url and input_audio parts (a model without
// a projector answers that it cannot read them); the store keeps a conversation's text only.
import { authHeaders, call, errorText } from './api.js';
import { showMarkdown } from './markdown.js';

const messages = [];   // {role, content, tool_calls?, tool_call_id?}
const attached = [];   // {kind: 'image' | 'audio', url (a data URL), name} for the next message
let running = null;    // the AbortController of the answer being streamed
let conversation = null; // the id of the stored conversation shown, null until its first message

const $ = (id) => document.getElementById(id);

export function fillModels(list) {
  const select = $('chat-model');
  const chosen = select.value;
  const generators = list.filter((m) => (m.downloaded || m.remote) && !m.alias && (m.role || 'generator') === 'generator');
  select.replaceChildren(...generators.map((m) => new Option(m.unique || m.name, m.unique || m.id)));
  if (generators.some((m) => (m.unique || m.id) === chosen)) select.value = chosen;
}

function bubble(role, text, media = []) {
  const div = document.createElement('div');
  div.className = 'message ' + role;
  const who = document.createElement('div');
  who.className = 'who';
  who.textContent = role === 'user' ? 'You' : 'Model';
  const body = document.createElement('div');
  body.className = 'body';
  if (role === 'user') body.textContent = text; else showMarkdown(body, text);
  div.append(who, body);
  if (media.length) {
    const shown = document.createElement('div');
    shown.className = 'media';
    shown.append(...media.map(preview));
    div.append(shown);
  }
  $('chat-log').append(div);
  div.scrollIntoView({ block: 'end' });
  return body;
}

/** An attachment as the page shows it: the image, or the clip's name. */
function preview(item) {
  if (item.kind === 'image') {
    const img = document.createElement('img');
    img.src = item.url;
    img.alt = item.name;
    return img;
  }
  const clip = document.createElement('span');
  clip.className = 'clip';
  clip.textContent = `♪ ${item.name}`;
  return clip;
}

/** The attachments waiting for the next message, each with a button that takes it away. */
function showAttached() {
  $('chat-attachments').replaceChildren(...attached.map((item, i) => {
    const box = document.createElement('span');
    box.className = 'attachment';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '×';
    remove.setAttribute('aria-label', `Remove ${item.name}`);
    remove.addEventListener('click', () => { attached.splice(i, 1); showAttached(); });
    box.append(preview(item), remove);
    return box;
  }));
}

/** Reads files (chosen or pasted) into the attachments; other kinds are refused with a message. */
function attach(files) {
  for (const file of files) {
    const kind = file.type.startsWith('image/') ? 'image' : file.type.startsWith('audio/') ? 'audio' : null;
    if (!kind) { $('chat-error').textContent = `${file.name || 'that'} is not an image or an audio clip`; continue; }
    const reader = new FileReader();
    reader.onload = () => { attached.push({ kind, url: reader.result, name: file.name || kind }); showAttached(); };
    reader.readAsDataURL(file);
  }
}

/** OpenAI's content parts for the text and the attachments: the media first, as Ollama puts them. */
function content(text, media) {
  if (!media.length) return text;
  const parts = media.map((m) => m.kind === 'image' ? { type: 'image_url', image_url: { url: m.url } }
    : { type: 'input_audio', input_audio: { data: m.url.slice(m.url.indexOf(',') + 1),
      format: /mpeg|mp3/.test(m.url.slice(0, 40)) ? 'mp3' : /flac/.test(m.url.slice(0, 40)) ? 'flac' : 'wav' } });
  return parts.concat([{ type: 'text', text }]);
}

/** The folded box a model's thinking goes in, above its answer; hidden until there is some. */
function thinkingBox(answerBody) {
  const box = document.createElement('details');
  box.className = 'thinking';
  box.hidden = true;
  const summary = document.createElement('summary');
  summary.textContent = 'Thinking';
  const text = document.createElement('div');
  text.className = 'thought';
  box.append(summary, text);
  answerBody.before(box);
  return box;
}

/**
 * The model's tool calls, each in a folded box (its name; unfolded, its arguments) with a field for the result;
 * once every call has its result, they go back as tool messages and the model answers them.
 */
function toolCallBoxes(answerBody, calls, model) {
  const results = new Map();
  for (const call of calls) {
    const box = document.createElement('details');
    box.className = 'tool-call';
    const summary = document.createElement('summary');
    summary.textContent = `Tool call: ${call.function.name}`;
    const args = document.createElement('pre');
    args.className = 'arguments';
    args.textContent = call.function.arguments;
    const form = document.createElement('form');
    form.className = 'tool-result';
    const input = document.createElement('input');
    input.placeholder = `What ${call.function.name} returned`;
    input.setAttribute('aria-label', `Result of ${call.function.name}`);
    const button = document.createElement('button');
    button.type = 'submit';
    button.textContent = 'Send result';
    form.append(input, button);
    box.append(summary, args, form);
    answerBody.after(box);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (running || results.has(call.id)) return;
      results.set(call.id, input.value);
      const shown = document.createElement('pre');
      shown.className = 'result';
      shown.textContent = input.value;
      form.replaceWith(shown);
      if (results.size === calls.length) {
        for (const c of calls) messages.push({ role: 'tool', tool_call_id: c.id, content: results.get(c.id) });
        reply(model);
      }
    });
  }
}

/** Keeps a turn in the store, creating the conversation with the first one; a failure is shown, never fatal. */
async function keep(role, text, model) {
  try {
    if (!conversation) {
      const c = await call('POST', '/conversations/create', { type: 'COPILOT', name: text.slice(0, 60), model: { id: model } });
      conversation = c.id;
    }
    await call('POST', '/messages/create', { role, fragment: { string: { raw: text } }, conversation: { id: conversation },
      model: role === 'ASSISTANT' ? { id: model } : undefined });
    await listConversations();
  } catch (e) {
    $('chat-error').textContent = 'not kept: ' + e.message;
  }
}

/** The stored conversations in the side list, the one changed last first; the one shown is marked. */
export async function listConversations() {
  const { iterable } = await call('GET', '/conversations');
  $('chat-conversations').replaceChildren(...iterable.map((c) => {
    const item = document.createElement('li');
    const open = document.createElement('button');
    open.type = 'button';
    open.dataset.id = c.id;
    open.textContent = c.name || 'Untitled';
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = new Date(c.updated.value).toLocaleString();
    open.append(when);
    if (c.id === conversation) open.setAttribute('aria-current', 'true');
    open.addEventListener('click', () => reopen(c.id).then(listConversations)
      .catch((err) => { $('chat-error').textContent = err.message; }));
    item.append(open);
    return item;
  }));
  $('chat-delete').disabled = !conversation;
}

/** Shows a stored conversation: its messages, read one by one in their order. */
async function reopen(id) {
  if (running) running.abort();
  messages.length = 0;
  $('chat-log').replaceChildren();
  $('chat-stats').textContent = '';
  conversation = id || null;
  $('chat-delete').disabled = !conversation;
  if (!conversation) return;
  const c = await call('GET', `/conversation/${encodeURIComponent(id)}`);
  const order = Object.entries(c.messages.indices || {}).sort((a, b) => a[1] - b[1]).map(([mid]) => mid);
  for (const mid of order) {
    const m = await call('GET', `/message/${encodeURIComponent(mid)}?transferables=true`);
    const role = m.role === 'USER' ? 'user' : m.role === 'SYSTEM' ? 'system' : 'assistant';
    const text = m.fragment && m.fragment.string ? m.fragment.string.raw : '';
    messages.push({ role, content: text });
    bubble(role === 'user' ? 'user' : 'assistant', text).parentElement.dataset.done = 'true';
  }
}

async function send(text) {
  $('chat-error').textContent = '';
  const model = $('chat-model').value;
  if (!model) { $('chat-error').textContent = 'no downloaded chat model: pull one first'; return; }
  const media = attached.splice(0);
  showAttached();
  messages.push({ role: 'user', content: content(text, media) });
  bubble('user', text, media);
  await keep('USER', text, model);
  await reply(model);
}

/** Streams the model's next message for the conversation so far. */
async function reply(model) {
  const body = {
    model, stream: true, stream_options: { include_usage: true },
    temperature: Number($('chat-temperature').value), max_tokens: Number($('chat-max-tokens').value),
    messages: ($('chat-system').value.trim() ? [{ role: 'system', content: $('chat-system').value.trim() }] : []).concat(messages),
  };
  if ($('chat-ignore-eos').checked) body.ignore_eos = true;
  const schema = $('chat-schema').value.trim();
  if (schema) {
    try { body.response_format = { type: 'json_schema', json_schema: { name: 'answer', schema: JSON.parse(schema) } }; }
    catch (e) { $('chat-error').textContent = 'the JSON schema is not JSON: ' + e.message; messages.pop(); return; }
  }
  const tools = $('chat-tools').value.trim();
  if (tools) {
    try { body.tools = JSON.parse(tools); }
    catch (e) { $('chat-error').textContent = 'the tools are not JSON: ' + e.message; messages.pop(); return; }
  }
  const calls = [];   // the model's tool calls, put together from their pieces by index
  const out = bubble('assistant', '');
  const thought = thinkingBox(out);
  let answer = '';
  let thinking = '';
  running = new AbortController();
  $('chat-send').disabled = true;
  $('chat-stop').disabled = false;
  $('chat-stats').textContent = 'thinking…';
  const started = performance.now();
  let firstToken = null;
  let usage = null;
  let pieces = 0;
  try {
    const r = await fetch('/v1/chat/completions', { method: 'POST', signal: running.signal,
      headers: Object.assign({ 'Content-Type': 'application/json' }, authHeaders()), body: JSON.stringify(body) });
    if (!r.ok) throw new Error(errorText(await r.text()));
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
        const chunk = JSON.parse(line.slice(6));
        if (chunk.usage) usage = chunk.usage;
        const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
        if (delta && delta.reasoning_content) {
          firstToken = firstToken || performance.now();
          thinking += delta.reasoning_content;
          pieces++;
          thought.hidden = false;
          thought.querySelector('.thought').textContent = thinking;
        }
        for (const piece of (delta && delta.tool_calls) || []) {
          firstToken = firstToken || performance.now();
          const call = calls[piece.index] || (calls[piece.index] = { id: '', type: 'function', function: { name: '', arguments: '' } });
          if (piece.id) call.id = piece.id;
          if (piece.function && piece.function.name) call.function.name += piece.function.name;
          if (piece.function && piece.function.arguments) call.function.arguments += piece.function.arguments;
        }
        if (delta && delta.content) {
          firstToken = firstToken || performance.now();
          answer += delta.content;
          pieces++;
          showMarkdown(out, answer);
          const secs = (performance.now() - firstToken) / 1000;
          $('chat-stats').textContent = `${pieces} tokens` + (secs > 0.5 ? ` · ${(pieces / secs).toFixed(1)} tokens/s` : '');
        }
      }
    }
    const secs = (performance.now() - (firstToken || started)) / 1000;
    if (usage) {
      $('chat-stats').textContent = `${usage.prompt_tokens} prompt tokens · ${usage.completion_tokens} generated · `
        + `${secs > 0 ? (usage.completion_tokens / secs).toFixed(1) : '–'} tokens/s`;
    }
  } catch (e) {
    if (e.name === 'AbortError') {
      $('chat-stats').textContent = 'stopped';
    } else {
      $('chat-error').textContent = e.message;
    }
  } finally {
    running = null;
    $('chat-send').disabled = false;
    $('chat-stop').disabled = true;
    const made = calls.filter(Boolean);
    messages.push(made.length ? { role: 'assistant', content: answer, tool_calls: made } : { role: 'assistant', content: answer });
    if (answer) await keep('ASSISTANT', answer, model);
    if (made.length) toolCallBoxes(out, made, model);
    out.dataset.done = 'true';
  }
}

$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('chat-input').value.trim();
  if (!(text || attached.length) || running) return;
  $('chat-input').value = '';
  send(text);
});
$('chat-input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) $('chat-form').requestSubmit();
});
$('chat-stop').addEventListener('click', () => { if (running) running.abort(); });
$('chat-clear').addEventListener('click', () => reopen(null).then(listConversations));
$('chat-attach').addEventListener('change', (e) => { attach(e.target.files); e.target.value = ''; });
$('chat-input').addEventListener('paste', (e) => {
  const files = [...(e.clipboardData ? e.clipboardData.files : [])];
  if (files.length) { e.preventDefault(); attach(files); }
});
$('chat-delete').addEventListener('click', async () => {
  if (!conversation) return;
  await call('POST', `/conversations/${encodeURIComponent(conversation)}/delete`);
  await reopen(null);
  await listConversations();
});
