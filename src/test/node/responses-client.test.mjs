// OpenAI's Responses API through the openai npm client: text, reasoning and function_call items, whole and
// streamed (the client's ResponseStream puts the response together from the events), incomplete answers,
// input_tokens, stored responses continued by previous_response_id, read, listed and deleted, and errors.
// ResponsesClientTest writes the scripted models and starts the daemon (and restarts it to read a stored
// response again: RESPONSE_FILE gets the id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: `${process.env.MODELD_URL}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });

const weather = { type: 'function', name: 'get_weather', description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
// what Codex offers beside its functions: tools modeld cannot run, left out rather than refused
const notRunHere = [{ type: 'web_search', external_web_access: false },
  { type: 'namespace', name: 'multi_agent_v1', description: 'agents', tools: [] }];

test('a text answer: a message item, output_text, usage; stored and read back', async () => {
  const r = await client.responses.create({ model: 'hello', input: 'Hi there', max_output_tokens: 16 });
  assert.equal(r.object, 'response');
  assert.equal(r.status, 'completed');
  assert.match(r.id, /^resp_/);
  assert.equal(r.output_text, 'Hello, world!');
  assert.deepEqual(r.output.map((i) => i.type), ['message']);
  assert.equal(r.output[0].content[0].type, 'output_text');
  assert.equal(r.usage.output_tokens, 4);
  assert.ok(r.usage.input_tokens > 5);
  const again = await client.responses.retrieve(r.id);
  assert.equal(again.id, r.id);
  assert.equal(again.output_text, 'Hello, world!');
  writeFileSync(process.env.RESPONSE_FILE, r.id);
});

test('previous_response_id continues a stored response; the second turn reports its cached prefix', async () => {
  const first = await client.responses.create({ model: 'hello', max_output_tokens: 16,
    instructions: 'You are a terse assistant who keeps its answers short.', input: 'Tell me something.' });
  const second = await client.responses.create({ model: 'hello', max_output_tokens: 16,
    instructions: 'You are a terse assistant who keeps its answers short.', previous_response_id: first.id,
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'And again?' }] }] });
  assert.equal(second.previous_response_id, first.id);
  assert.ok(second.usage.input_tokens > first.usage.input_tokens);
  assert.ok(second.usage.input_tokens_details.cached_tokens >= first.usage.input_tokens - 1, JSON.stringify(second.usage));
  const items = await client.responses.inputItems.list(second.id, { order: 'asc' });
  const texts = items.data.map((i) => i.content?.map((c) => c.text).join(''));
  assert.deepEqual(texts, ['Tell me something.', 'Hello, world!', 'And again?']);
  await client.responses.delete(first.id);
  await assert.rejects(client.responses.retrieve(first.id), (e) => e.status === 404);
  await assert.rejects(client.responses.create({ model: 'hello', input: 'x', previous_response_id: first.id }),
    (e) => e.status === 404 && /no stored response/.test(e.message));
  const unstored = await client.responses.create({ model: 'hello', input: 'Hi', store: false, max_output_tokens: 4 });
  await assert.rejects(client.responses.retrieve(unstored.id), (e) => e.status === 404);
});

test('input_tokens counts what the same request reads', async () => {
  const body = { model: 'hello', instructions: 'Count this.', input: 'Count the tokens of this question.' };
  const counted = await client.responses.inputTokens.count(body);
  assert.equal(counted.object, 'response.input_tokens');
  const r = await client.responses.create({ ...body, max_output_tokens: 4, store: false });
  assert.equal(counted.input_tokens, r.usage.input_tokens);
});

test('a function call item; its output goes back and the model answers', async () => {
  const r = await client.responses.create({ model: 'qwen3-agent', input: 'What is the weather in Paris?',
    tools: [weather, ...notRunHere], tool_choice: 'required', reasoning: { effort: 'none' }, max_output_tokens: 64 });
  const call = r.output.find((i) => i.type === 'function_call');
  assert.ok(call, JSON.stringify(r.output));
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
  assert.ok(call.call_id.length > 0);
  const answer = await client.responses.create({ model: 'qwen3-agent', tools: [weather], store: false,
    input: [{ role: 'user', content: 'What is the weather in Paris?' }, call,
      { type: 'function_call_output', call_id: call.call_id, output: '{"temperature": 21}' }] });
  assert.equal(answer.output_text, 'It is 21 degrees.');
});

test('streamed: the client puts the same function call together from argument deltas', async () => {
  const stream = client.responses.stream({ model: 'qwen3-agent', input: 'What is the weather in Paris?',
    tools: [weather], tool_choice: { type: 'function', name: 'get_weather' }, reasoning: { effort: 'none' },
    store: false });
  const types = [];
  stream.on('event', (e) => types.push(e.type));
  const r = await stream.finalResponse();
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  assert.ok(types.includes('response.function_call_arguments.delta'), types.join(' '));
  assert.ok(types.includes('response.output_item.done'));
  const call = r.output.find((i) => i.type === 'function_call');
  assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
});

test('reasoning comes as a reasoning item, whole and streamed, apart from the text', async () => {
  const r = await client.responses.create({ model: 'thinker', input: 'Hi', store: false, max_output_tokens: 32 });
  assert.deepEqual(r.output.map((i) => i.type), ['reasoning', 'message']);
  assert.equal(r.output[0].content[0].text, 'Let me think.');
  assert.equal(r.output_text, 'Hello.');
  let reasoning = '';
  let text = '';
  const stream = client.responses.stream({ model: 'thinker', input: 'Hi', store: false, max_output_tokens: 32 });
  stream.on('response.reasoning_text.delta', (e) => { reasoning += e.delta; });
  stream.on('response.output_text.delta', (e) => { text += e.delta; });
  const whole = await stream.finalResponse();
  assert.equal(reasoning, 'Let me think.');
  assert.equal(text, 'Hello.');
  assert.equal(whole.output_text, 'Hello.');
  // the reasoning item sent back with the conversation is read, not refused
  const next = await client.responses.create({ model: 'thinker', store: false, max_output_tokens: 32,
    input: [{ role: 'user', content: 'Hi' }, ...whole.output, { role: 'user', content: 'Thanks.' }] });
  assert.equal(next.status, 'completed');
});

test('max_output_tokens cuts the answer: incomplete, with the reason', async () => {
  const r = await client.responses.create({ model: 'hello', input: 'Hi', max_output_tokens: 2, store: false });
  assert.equal(r.status, 'incomplete');
  assert.equal(r.incomplete_details.reason, 'max_output_tokens');
  assert.equal(r.usage.output_tokens, 2);
});

test('bad requests get OpenAI\'s error shape and change nothing', async () => {
  await assert.rejects(client.responses.create({ model: 'no-such-model', input: 'Hi' }),
    (e) => e.status === 404 && e.error.code === 'model_not_found');
  await assert.rejects(client.responses.create({ model: 'hello', input: [{ role: 'user',
    content: [{ type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' }] }] }),
  (e) => e.status === 400 && /image_url: the image cannot be read/.test(e.message));
  // a 1x1 PNG to a model without a projector
  await assert.rejects(client.responses.create({ model: 'hello', input: [{ role: 'user', content: [{ type: 'input_image',
    image_url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' }] }] }),
  (e) => e.status === 400 && /model 'hello' cannot read images/.test(e.message));
  await assert.rejects(client.responses.create({ model: 'hello', input: 'Hi', text: { format: { type: 'yaml' } } }),
    (e) => e.status === 400 && /text.format.type/.test(e.message));
  await assert.rejects(client.responses.create({ model: 'hello', input: [] }),
    (e) => e.status === 400 && /input/.test(e.message));
});
