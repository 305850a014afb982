// Pieces Copilot on a local model through the official Pieces TypeScript SDK (its generated Connector, User,
// WellKnown, Models, QGPT, Conversations, Conversation and Conversation Message APIs) and the WebSockets its
// Python client opens, read with `ws` as that client reads them. Run by PiecesSdkCopilotTest (MODELD_URL,
// MODELD_CHAT_MODEL: the id of a downloaded model that answers "Hello, world!").
import test from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@pieces.app/pieces-os-client';
import WebSocket from 'ws';

const {
  Configuration, ConnectorApi, UserApi, WellKnownApi, ModelsApi, ModelApi, QGPTApi, ConversationsApi,
  ConversationApi, ConversationMessageApi, ConversationMessagesApi, ResponseError, QGPTStreamOutputFromJSON,
  StreamedIdentifiersFromJSON,
} = sdk;

const basePath = process.env.MODELD_URL;
const chatModel = process.env.MODELD_CHAT_MODEL;
assert.ok(basePath && chatModel, 'MODELD_URL and MODELD_CHAT_MODEL name the daemon and its chat model');
const config = new Configuration({ basePath });
const ALIAS = 'GPT-3.5-turbo Chat Model';

/** A socket whose frames queue up; next() waits for the next one. */
function open(path) {
  const ws = new WebSocket(basePath.replace('http', 'ws') + path);
  const frames = [];
  const waiting = [];
  ws.on('message', (data) => {
    const text = data.toString();
    if (waiting.length) waiting.shift()(text); else frames.push(text);
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve({
      ws,
      send: (obj) => ws.send(JSON.stringify(obj)),
      next: (ms = 30000) => frames.length ? Promise.resolve(frames.shift()) : new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`no frame on ${path} within ${ms} ms`)), ms);
        waiting.push((f) => { clearTimeout(t); res(f); });
      }),
    }));
  });
}

test('connect, user, version and health, as the client starts', async () => {
  const context = await new ConnectorApi(config).connect({ seededConnectorConnection: {
    application: { name: 'OPEN_SOURCE', platform: 'LINUX', version: '5.0.0' } } });
  assert.match(context.application.id, /^[0-9a-f-]{36}$/);
  assert.equal(context.application.name, 'OPEN_SOURCE');
  assert.equal(context.application.platform, 'LINUX');
  assert.equal(context.application.version, '5.0.0');
  assert.equal(typeof context.application.onboarded, 'boolean');
  assert.ok(context.health.os.id && context.health.os.version);
  assert.equal(context.os, context.health.os.id);

  const { user } = await new UserApi(config).userSnapshot();
  assert.ok(user.id, 'a local user, so the client counts as started');
  assert.equal(typeof user.aesthetics.font.size, 'number');
  assert.equal(typeof user.aesthetics.theme.dark, 'boolean');

  const wellKnown = new WellKnownApi(config);
  const version = await wellKnown.getWellKnownVersion();
  assert.match(version, /^12\.\d+\.\d+$/, 'the 12.x range the Pieces CLI accepts');
  assert.equal((await fetch(basePath + '/.well-known/health', { method: 'HEAD' })).status, 200);

  const health = await open('/.well-known/stream/health');
  assert.ok((await health.next()).startsWith('ok'));
  health.ws.close();
  for (const path of ['/assets/stream/identifiers', '/anchors/stream/identifiers', '/ranges/stream/identifiers']) {
    const s = await open(path);
    assert.deepEqual(StreamedIdentifiersFromJSON(JSON.parse(await s.next())).iterable, [], path);
    s.ws.close();
  }
  const userStream = await open('/user/stream');
  assert.equal(JSON.parse(await userStream.next()).id, user.id);
  userStream.ws.close();
});

test('the client\'s fixed model name is a local alias of a downloaded chat model', async () => {
  const { iterable } = await new ModelsApi(config).modelsSnapshot();
  const aliases = iterable.filter((m) => m.name === ALIAS);
  assert.equal(aliases.length, 1);
  const [alias] = aliases;
  const target = iterable.find((m) => m.id === chatModel);
  assert.equal(alias.cloud, false);
  assert.equal(alias.downloaded, true, 'downloaded because its target is');
  assert.ok(alias.description.includes(target.name), alias.description);
  assert.equal((await new ModelApi(config).modelsSpecificModelSnapshot({ model: alias.id })).name, ALIAS);
});

test('one question, one answer, in no conversation', async () => {
  const out = await new QGPTApi(config).question({ qGPTQuestionInput: {
    query: 'hi', relevant: { iterable: [] }, model: chatModel } });
  assert.equal(out.answers.iterable.length, 1);
  assert.equal(out.answers.iterable[0].text, 'Hello, world!');
  assert.equal(typeof out.answers.iterable[0].score, 'number');
  const asked = await new QGPTApi(config).question({ qGPTQuestionInput: {
    query: 'hi', relevant: { iterable: [] }, model: (await aliasId()) } });
  assert.equal(asked.answers.iterable[0].text, 'Hello, world!', 'the alias answers with its target');
});

async function aliasId() {
  const { iterable } = await new ModelsApi(config).modelsSnapshot();
  return iterable.find((m) => m.name === ALIAS).id;
}

test('a streamed question as the Python client asks it: the conversation announced, then the answer', async () => {
  const ids = await open('/conversations/stream/identifiers');
  StreamedIdentifiersFromJSON(JSON.parse(await ids.next()));
  const qgpt = await open('/qgpt/stream');
  qgpt.send({ relevance: { application: 'app', model: await aliasId(), options: { question: true }, query: 'hi' } });
  const announced = StreamedIdentifiersFromJSON(JSON.parse(await ids.next()));
  const id = announced.iterable[0].conversation.id;
  let text = '';
  let frame;
  do {
    frame = QGPTStreamOutputFromJSON(JSON.parse(await qgpt.next()));
    assert.equal(frame.conversation, id);
    if (frame.status === 'IN-PROGRESS') {
      for (const a of frame.question.answers.iterable) {
        assert.equal(typeof a.score, 'number');
        text += a.text;
      }
    }
  } while (frame.status === 'IN-PROGRESS');
  assert.equal(frame.status, 'COMPLETED');
  assert.equal(text, 'Hello, world!');

  const conversation = await new ConversationApi(config).conversationGetSpecificConversation({ conversation: id });
  assert.ok(conversation.created.value instanceof Date);
  assert.equal(conversation.messages.iterable.length, 2);
  const messages = new ConversationMessageApi(config);
  const said = [];
  for (const [mid, index] of Object.entries(conversation.messages.indices)) {
    const m = await messages.messageSpecificMessageSnapshot({ message: mid, transferables: true });
    said[index] = `${m.role}: ${m.fragment.string.raw}`;
  }
  assert.deepEqual(said, ['USER: hi', 'ASSISTANT: Hello, world!']);
  qgpt.ws.close();
  ids.ws.close();
});

test('conversations: create, add a message, rename, list, delete', async () => {
  const conversations = new ConversationsApi(config);
  const created = await conversations.conversationsCreateSpecificConversation({ transferables: false,
    seededConversation: { type: 'COPILOT', name: 'Notes' } });
  assert.equal(created.name, 'Notes');
  assert.equal(created.type, 'COPILOT');
  const message = await new ConversationMessagesApi(config).messagesCreateSpecificMessage({ seededConversationMessage: {
    role: 'USER', fragment: { string: { raw: 'remember this' } }, conversation: { id: created.id } } });
  assert.equal(message.conversation.id, created.id);
  const renamed = await new ConversationApi(config).conversationUpdate({ transferables: false,
    conversation: { ...created, name: 'Renamed' } });
  assert.equal(renamed.name, 'Renamed');
  assert.equal(renamed.messages.iterable[0].id, message.id);
  const { iterable } = await conversations.conversationsSnapshot({ transferables: false });
  assert.equal(iterable[0].id, created.id, 'the one changed last comes first');
  await conversations.conversationsDeleteSpecificConversation({ conversation: created.id });
  await assert.rejects(new ConversationApi(config).conversationGetSpecificConversation({ conversation: created.id }),
    (e) => e instanceof ResponseError && e.response.status === 404);
  await assert.rejects(new ConversationMessagesApi(config).messagesCreateSpecificMessage({ seededConversationMessage: {
    role: 'WIZARD', fragment: { string: { raw: 'x' } }, conversation: { id: iterable[1].id } } }),
  (e) => e instanceof ResponseError && e.response.status === 400);
});
