// modeld through ollama-js, the official Ollama client: everything an Ollama client does, on a real daemon.
// The Java side (OllamaClientTest) starts the daemon, writes the tiny models and passes their names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Ollama } from 'ollama';

const host = process.env.MODELD_OLLAMA_URL;
const ollama = new Ollama({ host });

async function errorOf(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

test('version is a dotted number, as Open WebUI parses it', async () => {
  const { version } = await ollama.version();
  assert.match(version, /^\d+\.\d+\.\d+$/);
});

test('list shows the downloaded models with their details', async () => {
  const { models } = await ollama.list();
  const tiny = models.find((m) => m.name === 'tiny:latest');
  assert.ok(tiny, JSON.stringify(models.map((m) => m.name)));
  assert.equal(tiny.model, 'tiny:latest');
  assert.match(tiny.digest, /^[0-9a-f]{64}$/);
  assert.equal(typeof tiny.size, 'number');
  assert.equal(tiny.details.format, 'gguf');
  assert.equal(tiny.details.family, 'llama');
  assert.equal(tiny.details.quantization_level, 'F32');
  assert.ok(!Number.isNaN(Date.parse(tiny.modified_at)));
  assert.ok(!models.some((m) => m.name.startsWith('to-pull')), 'a model not yet pulled is not listed');
});

test('show gives model_info, the template and the capabilities', async () => {
  const shown = await ollama.show({ model: 'tiny' });
  assert.equal(shown.model_info['general.architecture'], 'llama');
  assert.equal(shown.model_info['llama.context_length'], 256);
  assert.ok(shown.template.includes('<|im_start|>'));
  assert.deepEqual(shown.capabilities, ['completion']);
  assert.equal(shown.details.family, 'llama');
  const embedder = await ollama.show({ model: 'embedder' });
  assert.deepEqual(embedder.capabilities, ['embedding']);
});

test('pull streams Ollama\'s progress lines in order, then the model is listed', async () => {
  const lines = [];
  for await (const part of await ollama.pull({ model: 'to-pull', stream: true })) {
    lines.push(part);
  }
  const statuses = lines.map((l) => l.status);
  assert.equal(statuses[0], 'pulling manifest');
  assert.deepEqual(statuses.slice(-3), ['verifying sha256 digest', 'writing manifest', 'success']);
  const pulling = lines.filter((l) => l.status.startsWith('pulling ') && l.status !== 'pulling manifest');
  assert.ok(pulling.length >= 1);
  for (const p of pulling) {
    assert.match(p.status, /^pulling [0-9a-f]{12}$/);
    assert.match(p.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(p.status.slice(8), p.digest.slice(7, 19));
    assert.ok(p.total === undefined || typeof p.total === 'number', 'zero fields are left out, as Ollama does');
  }
  assert.equal(typeof pulling.at(-1).total, 'number');
  assert.equal(pulling.at(-1).completed, pulling.at(-1).total);
  const { models } = await ollama.list();
  assert.ok(models.some((m) => m.name === 'to-pull:latest'));
  const again = await ollama.pull({ model: 'to-pull', stream: false });
  assert.equal(again.status, 'success');
});

test('pull of a name modeld does not know goes to its registry, and leaves nothing when that fails', async () => {
  // A registry that is not there (port 9 on loopback): modeld tries it, as Ollama would, and says so.
  const e = await errorOf(ollama.pull({ model: '127.0.0.1:9/library/nothing:7b', stream: false }));
  assert.equal(e.status_code, 503);
  assert.match(e.error, /cannot reach 127\.0\.0\.1/);
  const names = (await ollama.list()).models.map((m) => m.name);
  assert.ok(!names.some((n) => n.includes('nothing')), names.join(', '));
  const bad = await errorOf(ollama.pull({ model: 'not a name!', stream: false }));
  assert.equal(bad.status_code, 400);
});

test('chat and generate, streamed and not, count real tokens', async () => {
  const options = { num_predict: 5, seed: 7, temperature: 0.5 };
  const chat = await ollama.chat({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], options });
  assert.equal(chat.message.role, 'assistant');
  assert.equal(typeof chat.message.content, 'string');
  assert.equal(chat.done, true);
  assert.ok(chat.eval_count >= 1 && chat.eval_count <= 5);
  assert.equal(chat.done_reason, chat.eval_count === 5 ? 'length' : 'stop');
  assert.ok(chat.prompt_eval_count > 10, 'the template\'s tokens count too');
  for (const field of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) {
    assert.ok(Number.isInteger(chat[field]), field);
  }
  let text = '';
  let last;
  for await (const part of await ollama.chat({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], options,
    stream: true })) {
    if (!part.done) text += part.message.content;
    last = part;
  }
  assert.equal(last.done, true);
  assert.equal(text, chat.message.content, 'the same seed, the same text');

  const gen = await ollama.generate({ model: 'tiny', prompt: 'Once', options });
  assert.equal(typeof gen.response, 'string');
  assert.equal(gen.done, true);
  let streamed = '';
  for await (const part of await ollama.generate({ model: 'tiny', prompt: 'Once', options, stream: true })) {
    streamed += part.response;
  }
  assert.equal(streamed, gen.response);
  const raw = await ollama.generate({ model: 'tiny', prompt: '<|im_start|>user\nHi', raw: true, options });
  assert.ok(raw.prompt_eval_count < chat.prompt_eval_count);
});

test('ps lists the loaded model', async () => {
  await ollama.generate({ model: 'tiny', prompt: 'x', options: { num_predict: 1 } });
  const { models } = await ollama.ps();
  const tiny = models.find((m) => m.name === 'tiny:latest');
  assert.ok(tiny);
  assert.equal(tiny.size_vram, 0);
  assert.ok(tiny.size > 0);
  assert.ok(!Number.isNaN(Date.parse(tiny.expires_at)));
  assert.equal(tiny.context_length, 256);
});

test('copy makes a model of the same file, and delete removes it', async () => {
  await ollama.copy({ source: 'tiny', destination: 'tiny-copy:v2' });
  let { models } = await ollama.list();
  const copy = models.find((m) => m.name === 'tiny-copy:v2');
  assert.ok(copy);
  assert.equal(copy.digest, models.find((m) => m.name === 'tiny:latest').digest);
  const answer = await ollama.generate({ model: 'tiny-copy:v2', prompt: 'x', options: { num_predict: 2 } });
  assert.equal(answer.done, true);
  await ollama.delete({ model: 'tiny-copy:v2' });
  ({ models } = await ollama.list());
  assert.ok(!models.some((m) => m.name === 'tiny-copy:v2'));
  const e = await errorOf(ollama.delete({ model: 'tiny-copy:v2' }));
  assert.equal(e.status_code, 404);
});

test('create from an uploaded blob, with a system prompt', async () => {
  const data = await readFile(process.env.BLOB_FILE);
  const digest = `sha256:${process.env.BLOB_SHA256}`;
  const head = await fetch(`${host}/api/blobs/${digest}`, { method: 'HEAD' });
  assert.equal(head.status, 404);
  const bad = await fetch(`${host}/api/blobs/sha256:${'0'.repeat(64)}`, { method: 'POST', body: data });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /^digest mismatch/);
  const upload = await fetch(`${host}/api/blobs/${digest}`, { method: 'POST', body: data });
  assert.equal(upload.status, 201);
  assert.equal((await fetch(`${host}/api/blobs/${digest}`, { method: 'HEAD' })).status, 200);
  const lines = [];
  for await (const part of await ollama.create({ model: 'created:v1', files: { 'mine.gguf': digest },
    system: 'Answer briefly.', stream: true })) {
    lines.push(part.status);
  }
  assert.equal(lines.at(-1), 'success');
  const shown = await ollama.show({ model: 'created:v1' });
  assert.equal(shown.system, 'Answer briefly.');
  const reply = await ollama.chat({ model: 'created:v1', messages: [{ role: 'user', content: 'Hi' }],
    options: { num_predict: 2 } });
  assert.equal(reply.done, true);
  const nothing = await errorOf(ollama.create({ model: 'empty:v1' }));
  assert.equal(nothing.status_code, 400);
});

test('an empty chat loads the model, keep_alive 0 unloads it', async () => {
  const loaded = await ollama.chat({ model: 'tiny', messages: [] });
  assert.equal(loaded.done_reason, 'load');
  assert.ok((await ollama.ps()).models.some((m) => m.name === 'tiny:latest'));
  const unloaded = await ollama.generate({ model: 'tiny', prompt: '', keep_alive: 0 });
  assert.equal(unloaded.done_reason, 'unload');
  assert.ok(!(await ollama.ps()).models.some((m) => m.name === 'tiny:latest'));
});

test('embed gives unit vectors, the legacy embeddings one raw vector', async () => {
  const { embeddings, prompt_eval_count } = await ollama.embed({ model: 'embedder', input: ['first', 'second'] });
  assert.equal(embeddings.length, 2);
  assert.equal(embeddings[0].length, 64);
  const norm = Math.sqrt(embeddings[0].reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-5);
  assert.ok(prompt_eval_count > 0);
  const short = await ollama.embed({ model: 'embedder', input: 'first', dimensions: 8 });
  assert.equal(short.embeddings[0].length, 8);
  const legacy = await ollama.embeddings({ model: 'embedder', prompt: 'first' });
  assert.equal(legacy.embedding.length, 64);
  const e = await errorOf(ollama.embed({ model: 'embedder', input: 'x'.repeat(3000), truncate: false }));
  assert.equal(e.status_code, 400);
  assert.match(e.error, /the input length exceeds the context length/);
  const chatModel = await errorOf(ollama.embed({ model: 'tiny', input: 'x' }));
  assert.equal(chatModel.status_code, 400);
});

test('an unknown model is a 404 in Ollama\'s words', async () => {
  const e = await errorOf(ollama.chat({ model: 'nothing-here', messages: [{ role: 'user', content: 'Hi' }] }));
  assert.equal(e.status_code, 404);
  assert.equal(e.error, "model 'nothing-here' not found");
  const missing = await errorOf(ollama.show({ model: '' }));
  assert.equal(missing.status_code, 400);
});
