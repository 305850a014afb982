// Images through the clients people use: openai (chat and responses), ollama-js (chat and generate) and Anthropic's
// SDK put the same image and question in the same prompt of a tiny vision model (its projector written by the test),
// so its greedy answer is the same on every door; another image changes it; the bounds and the refusals are 400s
// that say which; the model serves the next request after a broken image. MediaClientsTest starts the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { Ollama } from 'ollama';
import Anthropic from '@anthropic-ai/sdk';

const url = process.env.MODELD_URL;
const vision = process.env.VISION_MODEL;
const textOnly = process.env.TEXT_MODEL;
const hearing = process.env.HEARING_MODEL;
const clip = () => readFileSync(`${process.env.IMAGES}/tone.wav`);
const image = (name) => readFileSync(`${process.env.IMAGES}/${name}`).toString('base64');
const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });
const ollama = new Ollama({ host: url });
const anthropic = new Anthropic({ baseURL: url, apiKey: 'unused-on-loopback', maxRetries: 0 });
const question = 'What is in this picture?';
const N = 12;

const viaChat = (b64, model = vision) => openai.chat.completions.create({ model, temperature: 0, max_tokens: N,
  logprobs: true, top_logprobs: 3,
  messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${b64}` } },
    { type: 'text', text: question }] }] });

async function refused(promise, pattern) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.status ?? e.status_code, 400, String(e));
    assert.match(String(e.message ?? e.error), pattern);
    return true;
  });
}

test('every door reads the same image into the same prompt, so the greedy answer is the same', async () => {
  const a = image('a.png');
  const chat = await viaChat(a);
  const answer = chat.choices[0].message.content;
  assert.ok(answer.length > 0, 'the model answered');

  const ollamaChat = await ollama.chat({ model: vision, options: { temperature: 0, num_predict: N },
    messages: [{ role: 'user', content: question, images: [a] }] });
  assert.equal(ollamaChat.message.content, answer, 'ollama /api/chat');
  const generated = await ollama.generate({ model: vision, prompt: question, images: [a],
    options: { temperature: 0, num_predict: N } });
  assert.equal(generated.response, answer, 'ollama /api/generate');

  const message = await anthropic.messages.create({ model: vision, max_tokens: N, temperature: 0,
    messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: a } },
      { type: 'text', text: question }] }] });
  assert.equal(message.content.map((b) => b.text).join(''), answer, 'anthropic /v1/messages');

  const response = await openai.responses.create({ model: vision, temperature: 0, max_output_tokens: N, store: false,
    input: [{ role: 'user', content: [{ type: 'input_image', image_url: `data:image/png;base64,${a}` },
      { type: 'input_text', text: question }] }] });
  assert.equal(response.output_text, answer, 'openai /v1/responses');

  // the image counts as the embeddings it takes, the same on both doors that count
  const counted = await anthropic.messages.countTokens({ model: vision,
    messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: a } },
      { type: 'text', text: question }] }] });
  assert.equal(counted.input_tokens, chat.usage.prompt_tokens);
  const noImage = await openai.chat.completions.create({ model: vision, temperature: 0, max_tokens: 1,
    messages: [{ role: 'user', content: question }] });
  assert.ok(chat.usage.prompt_tokens >= noImage.usage.prompt_tokens + Number(process.env.TOKENS_PER_IMAGE),
    `${chat.usage.prompt_tokens} vs ${noImage.usage.prompt_tokens}`);
});

test('another image changes what the model reads; the same one again is read from the cache', async () => {
  const first = await viaChat(image('a.png'));
  const other = await viaChat(image('b.png'));
  const again = await viaChat(image('a.png'));
  const probs = (r) => r.choices[0].logprobs.content[0].top_logprobs.map((t) => t.logprob);
  // a random tiny model may say the same bytes after both, but never with the same probabilities
  assert.notDeepEqual(probs(other), probs(first));
  assert.deepEqual(probs(again), probs(first));
  assert.equal(again.choices[0].message.content, first.choices[0].message.content);
  assert.ok(again.usage.prompt_tokens_details.cached_tokens >= again.usage.prompt_tokens - 1,
    JSON.stringify(again.usage));
});

test('a model without a projector refuses images, naming itself', async () => {
  await refused(viaChat(image('a.png'), textOnly), /model 'text-only' cannot read images/);
  await refused(ollama.chat({ model: textOnly, messages: [{ role: 'user', content: 'hi', images: [image('a.png')] }] }),
    /cannot read images/);
});

test('what modeld will not read is a 400 that says which item and why; the model serves the next request', async () => {
  const part = (url) => ({ type: 'image_url', image_url: { url } });
  const ask = (parts) => openai.chat.completions.create({ model: vision, max_tokens: 2,
    messages: [{ role: 'user', content: [...parts, { type: 'text', text: question }] }] });
  await refused(ask([part('https://example.com/cat.png')]), /content\[0\]\.image_url\.url: modeld does not fetch images by URL/);
  await refused(ask(Array.from({ length: 17 }, () => part(`data:image/png;base64,${image('a.png')}`))),
    /content\[16\].*more than 16 images/);
  await refused(ask([part(`data:image/png;base64,${Buffer.from('hello, not an image').toString('base64')}`)]),
    /not an image modeld reads/);
  await refused(ask([part(`data:image/png;base64,${image('huge.png')}`)]), /20000x20 pixels; at most 16384 a side/);
  await refused(ask([part(`data:image/png;base64,${image('broken.png')}`)]), /media item 1 could not be decoded/);
  await refused(openai.chat.completions.create({ model: vision, max_tokens: 2, messages: [{ role: 'user', content: [
    { type: 'input_audio', input_audio: { data: readFileSync(`${process.env.IMAGES}/clip.wav`).toString('base64'), format: 'wav' } }] }] }),
  /cannot hear audio/);
  const after = await viaChat(image('a.png'));
  assert.ok(after.choices[0].message.content.length > 0);
});

test('vision is a capability on every listing', async () => {
  const show = await ollama.show({ model: vision });
  assert.ok(show.capabilities.includes('vision'), JSON.stringify(show.capabilities));
  assert.equal(show.projector_info['clip.projector_type'], 'gemma3');
  const plain = await ollama.show({ model: textOnly });
  assert.ok(!plain.capabilities.includes('vision'));
  const tags = await ollama.list();
  assert.ok(tags.models.find((m) => m.name.startsWith(vision)).capabilities.includes('vision'));
  const models = await fetch(`${url}/v1/models`).then((r) => r.json());
  assert.ok(models.data.find((m) => m.id === process.env.VISION_ID).capabilities.includes('vision'));
  const pieces = await fetch(`${url}/models`).then((r) => r.json());
  const entry = pieces.iterable.find((m) => m.id === process.env.VISION_ID);
  assert.equal(entry.capabilities?.images, true, JSON.stringify(entry.capabilities));
});

test('a model that hears: clips on the chat doors, and OpenAI\'s transcriptions', async () => {
  const chunk = Number(process.env.TOKENS_PER_CLIP);
  const show = await ollama.show({ model: hearing });
  assert.ok(show.capabilities.includes('audio') && !show.capabilities.includes('vision'), JSON.stringify(show.capabilities));
  const chat = await openai.chat.completions.create({ model: hearing, max_tokens: 2, temperature: 0,
    messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: clip().toString('base64'), format: 'wav' } },
      { type: 'text', text: 'What is this sound?' }] }] });
  assert.ok(chat.usage.prompt_tokens > chunk, `${chat.usage.prompt_tokens} prompt tokens`);
  // Ollama carries a clip in images, told apart by its bytes (another clip: the first would be read from the cache)
  const other = readFileSync(`${process.env.IMAGES}/tone2.wav`).toString('base64');
  const viaOllama = await ollama.chat({ model: hearing, options: { num_predict: 2 },
    messages: [{ role: 'user', content: 'What is this sound?', images: [other] }] });
  assert.ok(viaOllama.prompt_eval_count > chunk, `${viaOllama.prompt_eval_count}`);

  const first = await openai.audio.transcriptions.create({ model: hearing, file: await toFile(clip(), 'tone.wav') });
  const again = await openai.audio.transcriptions.create({ model: hearing, file: await toFile(clip(), 'tone.wav') });
  assert.equal(typeof first.text, 'string');
  assert.ok(first.text.length > 0);
  // greedy: the same clip, the same transcript; a random model talks until its context ends, and over thousands of
  // tokens a cached prefix and a fresh one part in the last bits of a logit, so the start is what is compared
  const start = (t) => t.slice(0, 64);
  assert.equal(start(again.text), start(first.text));
  const plain = await openai.audio.transcriptions.create({ model: hearing, file: await toFile(clip(), 'tone.wav'),
    response_format: 'text' });
  assert.equal(start(String(plain).trim()), start(first.text));

  await refused(openai.audio.transcriptions.create({ model: vision, file: await toFile(clip(), 'tone.wav') }),
    /cannot hear audio/);
  await refused(openai.audio.transcriptions.create({ model: hearing, file: await toFile(Buffer.from('not audio'), 'a.wav') }),
    /file: not a WAV, MP3 or FLAC clip/);
  const form = new FormData();
  form.append('model', hearing);
  const missing = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form });
  assert.equal(missing.status, 400);
  assert.match((await missing.json()).error.message, /file: required/);
});
