// Agents through the clients people use: the openai npm client's tool calls (forced, named, streamed and
// its own runTools loop) and reasoning, and ollama-js' tools, think and show. AgentClientsTest writes the
// scripted models (tiny llama models whose weights say a tool call in their family's format, or a thought
// and an answer) and starts the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Ollama } from 'ollama';

const openai = new OpenAI({ baseURL: `${process.env.MODELD_URL}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });
const ollama = new Ollama({ host: process.env.OLLAMA_URL });

const weather = { type: 'function', function: { name: 'get_weather', description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const time = { type: 'function', function: { name: 'get_time', description: 'The time now',
  parameters: { type: 'object', properties: {}, additionalProperties: false } } };
const ask = [{ role: 'user', content: 'What is the weather in Paris?' }];

/** Arguments as JSON Schema would check them: an object, the required keys, only known keys of their types. */
function assertValid(args, schema) {
  assert.equal(typeof args, 'object', JSON.stringify(args));
  for (const key of schema.required ?? []) {
    assert.ok(key in args, `${key} missing from ${JSON.stringify(args)}`);
  }
  for (const [key, value] of Object.entries(args)) {
    assert.ok(key in schema.properties, `${key} is not in the schema`);
    assert.equal(typeof value, schema.properties[key].type);
  }
}

for (const model of ['qwen3-agent', 'llama3-agent', 'gpt-oss-agent']) {
  test(`${model}: tool_choice required gives a tool call whose arguments fit the schema`, async () => {
    const answer = await openai.chat.completions.create({ model, messages: ask, tools: [weather],
      tool_choice: 'required', max_tokens: 64 });
    const choice = answer.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls', JSON.stringify(choice));
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls.length, 1);
    const call = choice.message.tool_calls[0];
    assert.equal(call.type, 'function');
    assert.match(call.id, /^[A-Za-z0-9]{9}$/);
    assert.equal(call.function.name, 'get_weather');
    const args = JSON.parse(call.function.arguments);
    assertValid(args, weather.function.parameters);
    assert.equal(args.city, 'Paris');
  });

  test(`${model}: streamed, the client accumulates the same call from its deltas`, async () => {
    const stream = openai.chat.completions.stream({ model, messages: ask, tools: [weather],
      tool_choice: 'required', max_tokens: 64 });
    let deltas = 0;
    stream.on('chunk', (chunk) => { deltas += chunk.choices[0]?.delta?.tool_calls?.length ?? 0; });
    const whole = await stream.finalChatCompletion();
    assert.ok(deltas >= 1);
    assert.equal(whole.choices[0].finish_reason, 'tool_calls');
    const call = whole.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
  });
}

test('a named function is the one called, whatever the model would rather say', async () => {
  // The scripted model would call get_weather; the grammar of the named function leaves it only get_time.
  const answer = await openai.chat.completions.create({ model: 'qwen3-agent', messages: ask,
    tools: [weather, time], tool_choice: { type: 'function', function: { name: 'get_time' } },
    parallel_tool_calls: false, max_tokens: 64 });
  const calls = answer.choices[0].message.tool_calls;
  assert.equal(calls.length, 1, JSON.stringify(answer.choices[0]));
  assert.equal(calls[0].function.name, 'get_time');
  assert.deepEqual(JSON.parse(calls[0].function.arguments), {});
});

test('tool_choice auto: the model decides to call; runTools runs the tool and sends the result back', async () => {
  const seen = [];
  const runner = openai.chat.completions.runTools({ model: 'qwen3-agent', messages: ask, max_tokens: 64,
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'The weather in a city',
      parameters: weather.function.parameters, parse: JSON.parse,
      function: (args) => { seen.push(args); return '{"temperature": 21}'; } } }] });
  const final = await runner.finalContent();
  assert.deepEqual(seen, [{ city: 'Paris' }]);
  assert.equal(final, 'It is 21 degrees.');
  const messages = runner.messages;
  assert.ok(messages.some((m) => m.role === 'tool' && m.content.includes('21')), JSON.stringify(messages));
});

test('tools: [] is the same as no tools, on a model whose template knows none', async () => {
  const answer = await openai.chat.completions.create({ model: 'tiny', messages: ask, tools: [], max_tokens: 4 });
  assert.equal(answer.choices[0].message.tool_calls, undefined);
  const chat = await ollama.chat({ model: 'tiny', messages: ask, tools: [], options: { num_predict: 4 } });
  assert.equal(chat.done, true);
  assert.equal(chat.message.tool_calls, undefined);
});

test('tools offered to a model whose template cannot take them are refused, in each API\'s words', async () => {
  await assert.rejects(ollama.chat({ model: 'tiny', messages: ask, tools: [weather] }),
    (e) => e.status_code === 400 && /does not support tools/.test(e.error));
  await assert.rejects(openai.chat.completions.create({ model: 'tiny', messages: ask, tools: [weather] }),
    (e) => e.status === 400 && /tools/.test(e.message));
});

test('reasoning comes apart from the answer on /v1, whole and streamed', async () => {
  const answer = await openai.chat.completions.create({ model: 'thinker', messages: ask, max_tokens: 32 });
  assert.equal(answer.choices[0].message.reasoning_content, 'Let me think.');
  assert.equal(answer.choices[0].message.content, 'Hello.');
  const stream = await openai.chat.completions.create({ model: 'thinker', messages: ask, max_tokens: 32, stream: true });
  let reasoning = '';
  let content = '';
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta ?? {};
    reasoning += delta.reasoning_content ?? '';
    content += delta.content ?? '';
    assert.ok(!(delta.content ?? '').includes('think>'), JSON.stringify(delta));
  }
  assert.equal(reasoning, 'Let me think.');
  assert.equal(content, 'Hello.');
});

test('ollama-js: tools give tool_calls with arguments as objects, and the tool\'s answer comes back', async () => {
  const first = await ollama.chat({ model: 'qwen3-agent', messages: ask, tools: [weather] });
  assert.equal(first.done_reason, 'stop');
  assert.equal(first.message.tool_calls.length, 1);
  assert.equal(first.message.tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(first.message.tool_calls[0].function.arguments, { city: 'Paris' });
  const second = await ollama.chat({ model: 'qwen3-agent', tools: [weather], messages: [...ask, first.message,
    { role: 'tool', tool_name: 'get_weather', content: '{"temperature": 21}' }] });
  assert.equal(second.message.content, 'It is 21 degrees.');
  assert.equal(second.message.tool_calls, undefined);

  const parts = await ollama.chat({ model: 'qwen3-agent', messages: ask, tools: [weather], stream: true });
  const calls = [];
  let last = null;
  for await (const part of parts) {
    calls.push(...(part.message.tool_calls ?? []));
    last = part;
  }
  assert.equal(last.done, true);
  assert.deepEqual(calls.map((c) => c.function.arguments), [{ city: 'Paris' }]);
});

test('ollama-js: think puts the thinking in message.thinking, never in the content', async () => {
  const thought = await ollama.chat({ model: 'thinker', messages: ask, think: true });
  assert.equal(thought.message.thinking, 'Let me think.');
  assert.equal(thought.message.content, 'Hello.');
  const parts = await ollama.chat({ model: 'thinker', messages: ask, think: true, stream: true });
  let thinking = '';
  let content = '';
  for await (const part of parts) {
    thinking += part.message.thinking ?? '';
    content += part.message.content;
  }
  assert.equal(thinking, 'Let me think.');
  assert.equal(content, 'Hello.');
  // think: false renders the template's empty thought, after which the model answers straight away
  const off = await ollama.chat({ model: 'thinker', messages: ask, think: false });
  assert.equal(off.message.thinking, undefined);
  assert.equal(off.message.content, 'Hello.');
  assert.equal(off.eval_count, 1);
  const level = await ollama.chat({ model: 'thinker', messages: ask, think: 'low' });
  assert.equal(level.message.thinking, 'Let me think.');
  await assert.rejects(ollama.chat({ model: 'tiny', messages: ask, think: true }),
    (e) => e.status_code === 400 && /does not support thinking/.test(e.error));
});

test('ollama-js: show lists what each model can do, from its template and its file', async () => {
  const agent = await ollama.show({ model: 'qwen3-agent' });
  assert.deepEqual([...agent.capabilities].sort(), ['completion', 'thinking', 'tools']);
  assert.equal(agent.model_info['general.architecture'], 'llama');
  assert.equal(agent.model_info['llama.context_length'], 131072);
  const llama = await ollama.show({ model: 'llama3-agent' });
  assert.deepEqual([...llama.capabilities].sort(), ['completion', 'tools']);
  const tiny = await ollama.show({ model: 'tiny' });
  assert.deepEqual(tiny.capabilities, ['completion']);
  const models = await openai.models.list();
  const listed = Object.fromEntries(models.data.map((m) => [m.id, m.capabilities]));
  assert.deepEqual([...listed['qwen3-agent']].sort(), ['completion', 'thinking', 'tools']);
  assert.deepEqual(listed.tiny, ['completion']);
});

test('logprobs: each token with its log-probability and the likeliest alternatives, chat and completions', async () => {
  const answer = await openai.chat.completions.create({ model: 'tiny', messages: ask, max_tokens: 8, seed: 3,
    logprobs: true, top_logprobs: 3 });
  const choice = answer.choices[0];
  const tokens = choice.logprobs.content;
  assert.equal(tokens.length, answer.usage.completion_tokens);
  assert.equal(Buffer.concat(tokens.map((t) => Buffer.from(t.bytes))).toString('utf8'), choice.message.content);
  for (const t of tokens) {
    assert.ok(t.logprob <= 0, JSON.stringify(t));
    assert.equal(Buffer.from(t.bytes).toString('utf8'), t.token);
    assert.equal(t.top_logprobs.length, 3);
    for (let i = 1; i < 3; i++) assert.ok(t.top_logprobs[i - 1].logprob >= t.top_logprobs[i].logprob);
    assert.ok(t.logprob <= t.top_logprobs[0].logprob + 1e-6);
  }
  const stream = openai.chat.completions.stream({ model: 'tiny', messages: ask, max_tokens: 8, seed: 3, logprobs: true });
  const streamed = await stream.finalChatCompletion();
  assert.deepEqual(streamed.choices[0].logprobs.content.map((t) => t.token), tokens.map((t) => t.token));
  const plain = await openai.chat.completions.create({ model: 'tiny', messages: ask, max_tokens: 2 });
  assert.equal(plain.choices[0].logprobs, null);
  const text = await openai.completions.create({ model: 'tiny', prompt: 'Once upon', max_tokens: 6, logprobs: 2 });
  const legacy = text.choices[0].logprobs;
  // The legacy shape has no bytes: a token that is part of a character shows U+FFFD, and only whole ones join.
  if (!legacy.tokens.some((t) => t.includes('\ufffd'))) assert.equal(legacy.tokens.join(''), text.choices[0].text);
  assert.equal(legacy.token_logprobs.length, text.usage.completion_tokens);
  assert.equal(Object.keys(legacy.top_logprobs[0]).length <= 2, true);
  await assert.rejects(openai.chat.completions.create({ model: 'tiny', messages: ask, top_logprobs: 2 }),
    (e) => e.status === 400 && /logprobs/.test(e.message));
});

test('ollama-js: logprobs and top_logprobs on chat and generate, with the last chunk', async () => {
  const chat = await ollama.chat({ model: 'tiny', messages: ask, logprobs: true, top_logprobs: 2,
    options: { num_predict: 6, seed: 3 } });
  assert.equal(chat.logprobs.length, chat.eval_count);
  // A token may be part of a character (its token shows U+FFFD): its bytes join into the text.
  const joined = (probs) => Buffer.concat(probs.map((t) => Buffer.from(t.bytes))).toString('utf8');
  assert.equal(joined(chat.logprobs), chat.message.content);
  for (const t of chat.logprobs) {
    assert.ok(t.logprob <= 0);
    assert.equal(t.top_logprobs.length, 2);
  }
  // greedy: the same four tokens every run (an unseeded sample once held bytes that made no whole character)
  const parts = await ollama.generate({ model: 'tiny', prompt: 'Once upon', logprobs: true, stream: true,
    options: { num_predict: 4, temperature: 0 } });
  let last = null;
  let text = '';
  for await (const part of parts) { text += part.response; last = part; }
  assert.equal(joined(last.logprobs), text);
  const none = await ollama.generate({ model: 'tiny', prompt: 'Once upon', options: { num_predict: 2 } });
  assert.equal(none.logprobs, undefined);
});
