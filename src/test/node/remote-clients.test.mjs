// Remote models through the clients people use: the laptop's daemon (MODELD_URL) answers with the team's models
// ("helper" is the team's scripted Qwen3 agent, "vectors" its embedder), forwarding every request to the team's
// daemon. openai (chat streamed with tools, the Responses API, embeddings, the model list), Anthropic's SDK
// (a streamed tool_use) and ollama-js (tools, then the tool's answer). RemoteModelsTest starts both daemons; the
// team's key (TEAM_KEY) must appear in nothing the laptop answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';

const openai = new OpenAI({ baseURL: `${process.env.MODELD_URL}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: process.env.MODELD_URL, apiKey: 'unused-on-loopback', maxRetries: 0 });
const ollama = new Ollama({ host: process.env.MODELD_URL });
const key = process.env.TEAM_KEY;

const weather = { type: 'function', function: { name: 'get_weather', description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const ask = [{ role: 'user', content: 'What is the weather in Paris?' }];

test('openai: a streamed chat with tools gives the team model\'s call, assembled by the client', async () => {
  const stream = openai.chat.completions.stream({ model: 'helper', messages: ask, tools: [weather],
    stream_options: { include_usage: true } });
  const done = await stream.finalChatCompletion();
  assert.equal(done.choices[0].finish_reason, 'tool_calls');
  const call = done.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
  assert.ok(done.usage.prompt_tokens > 20, JSON.stringify(done.usage));
});

test('openai: the Responses API gives a function_call item', async () => {
  const r = await openai.responses.create({ model: 'helper', input: 'What is the weather in Paris?',
    tools: [{ type: 'function', name: 'get_weather', parameters: weather.function.parameters }] });
  const call = r.output.find((o) => o.type === 'function_call');
  assert.ok(call, JSON.stringify(r.output));
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
});

test('openai: embeddings of the team\'s embedder, and the model list with both remote models', async () => {
  const e = await openai.embeddings.create({ model: 'vectors', input: ['one sentence', 'another one'] });
  assert.equal(e.data.length, 2);
  assert.ok(e.data[0].embedding.length > 8);
  assert.notDeepEqual(e.data[0].embedding, e.data[1].embedding);
  const models = await openai.models.list();
  const ids = models.data.map((m) => m.id);
  assert.ok(ids.includes('helper') && ids.includes('vectors'), ids.join(', '));
  assert.ok(!JSON.stringify(models.data).includes(key));
});

test('Anthropic SDK: a streamed message with a tool_use block', async () => {
  const stream = anthropic.messages.stream({ model: 'helper', max_tokens: 64, messages: ask,
    tools: [{ name: 'get_weather', input_schema: weather.function.parameters }] });
  const m = await stream.finalMessage();
  assert.equal(m.stop_reason, 'tool_use');
  const use = m.content.find((b) => b.type === 'tool_use');
  assert.equal(use.name, 'get_weather');
  assert.deepEqual(use.input, { city: 'Paris' });
});

test('ollama-js: the call, then the tool\'s answer, streamed back', async () => {
  const first = await ollama.chat({ model: 'helper', messages: ask, tools: [weather] });
  assert.deepEqual(first.message.tool_calls[0].function.arguments, { city: 'Paris' });
  const parts = await ollama.chat({ model: 'helper', tools: [weather], stream: true, messages: [...ask, first.message,
    { role: 'tool', tool_name: 'get_weather', content: '{"temperature": 21}' }] });
  let text = '';
  let last = null;
  for await (const part of parts) {
    text += part.message.content;
    last = part;
  }
  assert.equal(text, 'It is 21 degrees.');
  assert.equal(last.done, true);
  const shown = await ollama.show({ model: 'helper' });
  assert.ok(shown.capabilities.includes('tools'));
  assert.ok(!JSON.stringify(shown).includes(key));
});
