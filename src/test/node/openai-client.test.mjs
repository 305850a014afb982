// modeld's /v1 through the official openai npm client: models, chat (streamed and not), completions,
// embeddings, and errors as OpenAI's clients read them. OpenAiClientTest starts the daemon and the models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: `${process.env.MODELD_URL}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });

test('models lists the downloaded models and retrieves one', async () => {
  const page = await client.models.list();
  const ids = page.data.map((m) => m.id);
  assert.ok(ids.includes('tiny'), JSON.stringify(ids));
  assert.ok(ids.includes('embedder'));
  const one = await client.models.retrieve('tiny');
  assert.equal(one.id, 'tiny');
  assert.equal(one.object, 'model');
});

test('chat completions count tokens and say why they ended', async () => {
  const answer = await client.chat.completions.create({ model: 'tiny', max_tokens: 6, seed: 3,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], ignore_eos: true });
  assert.equal(answer.object, 'chat.completion');
  assert.equal(answer.choices[0].message.role, 'assistant');
  assert.equal(answer.choices[0].finish_reason, 'length');
  assert.equal(answer.usage.completion_tokens, 6);
  assert.ok(answer.usage.prompt_tokens > 10);
  assert.equal(answer.usage.total_tokens, answer.usage.prompt_tokens + 6);
});

test('chat streams chunks whose text joins to the whole answer', async () => {
  const request = { model: 'tiny', max_tokens: 8, seed: 5, ignore_eos: true,
    messages: [{ role: 'user', content: 'Tell me' }] };
  const whole = await client.chat.completions.create(request);
  const stream = await client.chat.completions.create({ ...request, stream: true,
    stream_options: { include_usage: true } });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.choices.length > 0) {
      text += chunk.choices[0].delta.content ?? '';
      finish = chunk.choices[0].finish_reason ?? finish;
    }
    usage = chunk.usage ?? usage;
  }
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, 'length');
  assert.equal(usage.completion_tokens, 8);
});

test('completions take a prompt', async () => {
  const answer = await client.completions.create({ model: 'tiny', prompt: 'Once upon', max_tokens: 4, ignore_eos: true });
  assert.equal(answer.object, 'text_completion');
  assert.equal(typeof answer.choices[0].text, 'string');
  assert.equal(answer.usage.completion_tokens, 4);
});

test('embeddings come back as unit vectors, in floats or base64', async () => {
  const out = await client.embeddings.create({ model: 'embedder', input: ['a cat', 'a dog'] });
  assert.equal(out.data.length, 2);
  assert.equal(out.data[1].index, 1);
  const v = out.data[0].embedding;
  assert.equal(v.length, 64);
  assert.ok(Math.abs(Math.sqrt(v.reduce((s, x) => s + x * x, 0)) - 1) < 1e-5);
  assert.ok(out.usage.prompt_tokens > 0);
  const short = await client.embeddings.create({ model: 'embedder', input: 'a cat', dimensions: 16 });
  assert.equal(short.data[0].embedding.length, 16);
  // The client asks for base64 itself and decodes it: the same floats must come out.
  const decoded = await client.embeddings.create({ model: 'embedder', input: 'a cat', encoding_format: 'base64' });
  assert.equal(typeof decoded.data[0].embedding, 'string');
});

test('errors are OpenAI errors: 404 model_not_found, 400 invalid_request_error', async () => {
  try {
    await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] });
    assert.fail('expected a NotFoundError');
  } catch (e) {
    assert.ok(e instanceof OpenAI.NotFoundError, String(e));
    assert.equal(e.status, 404);
    assert.equal(e.code, 'model_not_found');
    assert.equal(e.type, 'invalid_request_error');
  }
  try {
    await client.chat.completions.create({ model: 'tiny', messages: [] });
    assert.fail('expected a BadRequestError');
  } catch (e) {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.match(e.message, /messages/);
  }
  try {
    await client.embeddings.create({ model: 'tiny', input: 'x' });
    assert.fail('expected a BadRequestError');
  } catch (e) {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.match(e.message, /is a generator/);
  }
});
