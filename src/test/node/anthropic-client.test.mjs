// Anthropic's Messages API through Anthropic's own TypeScript SDK: text, thinking and tool_use blocks, whole
// and streamed (the SDK's MessageStream puts the message together from the events), stop reasons, usage
// and its cached part, count_tokens, and the errors in Anthropic's shape. AnthropicClientTest writes the
// scripted models (tiny llamas whose weights say a fixed answer in their template's format) and starts the
// daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: process.env.MODELD_URL, apiKey: 'unused-on-loopback', maxRetries: 0 });

const weather = { name: 'get_weather', description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const ask = [{ role: 'user', content: 'What is the weather in Paris?' }];
// Claude Code's first system block: its cch value changes every request
const billing = (cch) => ({ type: 'text',
  text: `x-anthropic-billing-header: cc_version=2.1.197.e51; cc_entrypoint=sdk-cli; cch=${cch};` });

test('a text answer: its block, end_turn, and usage', async () => {
  const m = await client.messages.create({ model: 'hello', max_tokens: 16, messages: ask,
    system: [billing('a5145'), { type: 'text', text: 'You are terse.' }] });
  assert.equal(m.type, 'message');
  assert.equal(m.role, 'assistant');
  assert.match(m.id, /^msg_/);
  assert.deepEqual(m.content, [{ type: 'text', text: 'Hello, world!' }]);
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.stop_sequence, null);
  assert.equal(m.usage.output_tokens, 4);
  assert.ok(m.usage.input_tokens + m.usage.cache_read_input_tokens > 10, JSON.stringify(m.usage));
});

test('count_tokens counts what the same request reads, and a changed billing stamp does not cost the cache', async () => {
  const body = { model: 'hello', messages: [{ role: 'user', content: 'Count me, then say hello.' }],
    system: [billing('0f1e2'), { type: 'text', text: 'A system prompt long enough to be worth keeping.' }] };
  const counted = await client.messages.countTokens(body);
  const first = await client.messages.create({ ...body, max_tokens: 16 });
  assert.equal(counted.input_tokens, first.usage.input_tokens + first.usage.cache_read_input_tokens);
  // the second turn: the first turn and its answer again, one more question; only the stamp changed
  const again = await client.messages.create({ ...body, max_tokens: 16,
    system: [billing('9c8b7'), body.system[1]],
    messages: [...body.messages, { role: 'assistant', content: first.content },
      { role: 'user', content: 'And again?' }] });
  assert.ok(again.usage.cache_read_input_tokens >= counted.input_tokens - 1, JSON.stringify(again.usage));
  // what is new: the first answer and the question in the template's words (a byte per token here)
  assert.ok(again.usage.input_tokens > 0 && again.usage.input_tokens < 100, JSON.stringify(again.usage));
});

test('stop_sequences and max_tokens end the answer with their stop reasons', async () => {
  const stopped = await client.messages.create({ model: 'hello', max_tokens: 16, messages: ask,
    stop_sequences: ['STOP', ', '] });
  assert.deepEqual(stopped.content, [{ type: 'text', text: 'Hello' }]);
  assert.equal(stopped.stop_reason, 'stop_sequence');
  assert.equal(stopped.stop_sequence, ', ');
  const cut = await client.messages.create({ model: 'hello', max_tokens: 2, messages: ask });
  assert.equal(cut.stop_reason, 'max_tokens');
  assert.equal(cut.usage.output_tokens, 2);
});

test('a tool call is a tool_use block; its result goes back as a tool_result and the model answers', async () => {
  const m = await client.messages.create({ model: 'qwen3-agent', max_tokens: 64, messages: ask, tools: [weather],
    tool_choice: { type: 'any' }, thinking: { type: 'disabled' } });
  assert.equal(m.stop_reason, 'tool_use', JSON.stringify(m));
  const use = m.content.find((b) => b.type === 'tool_use');
  assert.equal(use.name, 'get_weather');
  assert.deepEqual(use.input, { city: 'Paris' });
  assert.ok(use.id.length > 0);
  const answer = await client.messages.create({ model: 'qwen3-agent', max_tokens: 64, tools: [weather],
    messages: [...ask, { role: 'assistant', content: m.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id,
        content: [{ type: 'text', text: '{"temperature": 21}' }] }] }] });
  assert.equal(answer.stop_reason, 'end_turn');
  assert.equal(answer.content.filter((b) => b.type === 'text').map((b) => b.text).join(''), 'It is 21 degrees.');
});

test('streamed: the SDK puts the same tool call together from input_json_delta events', async () => {
  const stream = client.messages.stream({ model: 'qwen3-agent', max_tokens: 64, messages: ask, tools: [weather],
    tool_choice: { type: 'tool', name: 'get_weather' }, thinking: { type: 'disabled' } });
  const kinds = [];
  stream.on('streamEvent', (e) => kinds.push(e.type === 'content_block_delta' ? e.delta.type : e.type));
  const m = await stream.finalMessage();
  assert.equal(kinds[0], 'message_start');
  assert.equal(kinds.at(-1), 'message_stop');
  assert.ok(kinds.includes('input_json_delta'), kinds.join(' '));
  assert.equal(m.stop_reason, 'tool_use');
  const use = m.content.find((b) => b.type === 'tool_use');
  assert.deepEqual(use.input, { city: 'Paris' });
  assert.ok(m.usage.input_tokens > 0);
});

test('thinking comes as a thinking block, whole and streamed, apart from the text', async () => {
  const m = await client.messages.create({ model: 'thinker', max_tokens: 32, messages: ask,
    thinking: { type: 'enabled', budget_tokens: 1024 } });
  assert.deepEqual(m.content.map((b) => b.type), ['thinking', 'text']);
  assert.equal(m.content[0].thinking, 'Let me think.');
  assert.equal(m.content[1].text, 'Hello.');
  let thought = '';
  let said = '';
  const stream = client.messages.stream({ model: 'thinker', max_tokens: 32, messages: ask,
    thinking: { type: 'adaptive' } });
  stream.on('thinking', (delta) => { thought += delta; });
  stream.on('text', (delta) => { said += delta; });
  const whole = await stream.finalMessage();
  assert.equal(thought, 'Let me think.');
  assert.equal(said, 'Hello.');
  assert.deepEqual(whole.content.map((b) => b.type), ['thinking', 'text']);
  // the thought sent back with the conversation is read, not refused
  const next = await client.messages.create({ model: 'thinker', max_tokens: 32, messages: [...ask,
    { role: 'assistant', content: whole.content }, { role: 'user', content: 'Thanks.' }] });
  assert.equal(next.stop_reason, 'end_turn');
});

test('a system message mid-conversation, beta headers and unknown fields are taken', async () => {
  const m = await client.messages.create({ model: 'hello', max_tokens: 16, metadata: { user_id: 'u1' },
    context_management: { edits: [] }, output_config: { effort: 'low' },
    messages: [...ask, { role: 'assistant', content: 'Sunny.' }, { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Thanks.' }] },
  { headers: { 'anthropic-beta': 'mid-conversation-system-2026-04-07,effort-2025-11-24' } });
  assert.equal(m.content[0].text, 'Hello, world!');
});

test('bad requests get Anthropic\'s error shape and the status its SDK maps', async () => {
  await assert.rejects(client.messages.create({ model: 'hello', messages: ask }),
    (e) => e.status === 400 && e.error.type === 'error' && e.error.error.type === 'invalid_request_error'
      && /max_tokens/.test(e.error.error.message));
  await assert.rejects(client.messages.create({ model: 'no-such-model', max_tokens: 4, messages: ask }),
    (e) => e instanceof Anthropic.NotFoundError && e.error.error.type === 'not_found_error');
  await assert.rejects(client.messages.create({ model: 'hello', max_tokens: 4, messages: [{ role: 'user',
    content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }] }),
  (e) => e.status === 400 && /image/.test(e.error.error.message));
  await assert.rejects(client.messages.create({ model: 'hello', max_tokens: 4, messages: ask, temperature: 1.5 }),
    (e) => e.status === 400 && /temperature/.test(e.error.error.message));
  await assert.rejects(client.messages.create({ model: 'hello', max_tokens: 4, messages: ask, stream: true,
    tools: [{ name: 'bad name!', input_schema: { type: 'object' } }] }),
  (e) => e.status === 400 && /tools\[0\]/.test(e.error.error.message));
});
