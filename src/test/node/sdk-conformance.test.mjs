// Drives a running modeld (MODELD_URL) through the official Pieces TypeScript SDK, as a plugin would,
// and asserts on the SDK's typed results. Run by SdkConformanceTest inside `mvn -B verify`.
import test from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@pieces.app/pieces-os-client';

const { Configuration, ModelsApi, ModelApi, ResponseError, ModelTypeEnum, ModelUsageEnum } = sdk;

const basePath = process.env.MODELD_URL;
assert.ok(basePath, 'MODELD_URL must name the daemon under test');
const config = new Configuration({ basePath });
const models = new ModelsApi(config);
const model = new ModelApi(config);

async function statusOf(promise) {
  try {
    await promise;
    return 200;
  } catch (e) {
    assert.ok(e instanceof ResponseError, `expected a ResponseError, got ${e}`);
    return e.response.status;
  }
}

test('modelsSnapshot lists the catalog as typed Models', async () => {
  const snapshot = await models.modelsSnapshot();
  assert.equal(snapshot.iterable.length, Number(process.env.MODELD_CATALOG_SIZE));
  assert.equal(snapshot.schema.semantic, 'MAJOR_0_MINOR_0_PATCH_1');
  for (const m of snapshot.iterable) {
    assert.match(m.id, /^[0-9a-f-]{36}$/);
    assert.ok(m.created.value instanceof Date && !Number.isNaN(m.created.value.getTime()), 'created.value is a Date');
    assert.equal(typeof m.cloud, 'boolean');
    assert.equal(m.cloud, false);
    assert.equal(m.downloaded, false);
    assert.equal(m.loaded, false);
    assert.equal(m.cpu, true);
    assert.ok(Object.values(ModelUsageEnum).includes(m.usage), `usage ${m.usage}`);
    assert.ok(Object.values(ModelTypeEnum).includes(m.type));
    if (m.bytes && m.ram) {
      assert.equal(typeof m.bytes.value, 'number');
      assert.ok(m.ram.value > m.bytes.value);
    }
    assert.equal(typeof m.parameters, 'number');
    if (m.maxTokens) {
      assert.ok(m.maxTokens.total >= 512);
    }
  }
});

test('modelsSpecificModelSnapshot returns one typed Model by id', async () => {
  const { iterable } = await models.modelsSnapshot();
  const tiny = iterable.find((m) => m.unique === 'tinyllama-1.1b-chat-v1.0-q4_k_m');
  assert.ok(tiny, 'tinyllama is in the catalog');
  const one = await model.modelsSpecificModelSnapshot({ model: tiny.id });
  assert.equal(one.id, tiny.id);
  assert.equal(one.name, 'TinyLlama 1.1B Chat v1.0');
  assert.equal(one.bytes.value, 668788096);
  assert.equal(one.quantization, 'Q4_K_M');
});

test('an unknown id is a 410 ResponseError', async () => {
  assert.equal(await statusOf(model.modelsSpecificModelSnapshot({ model: '00000000-0000-0000-0000-000000000000' })), 410);
});

test('create, update and delete a custom model through the SDK', async () => {
  const seededModel = {
    version: '1.0.0',
    created: { value: new Date() },
    name: 'SDK custom model',
    cloud: false,
    type: ModelTypeEnum.Balanced,
    usage: ModelUsageEnum.CodeConversation,
    unique: 'sdk-custom-model',
    parameters: 1.5,
  };
  const created = await models.modelsCreateNewModel({ seededModel });
  assert.equal(created.custom, true);
  assert.equal(created.name, 'SDK custom model');
  assert.equal(created.unique, 'sdk-custom-model');
  assert.ok(created.created.value instanceof Date);

  const again = await models.modelsCreateNewModel({ seededModel });
  assert.equal(again.id, created.id, 'creating the same model again returns the existing one');

  const updated = await model.modelUpdate({ model: { ...created, name: 'SDK renamed', description: 'via the SDK' } });
  assert.equal(updated.id, created.id);
  assert.equal(updated.name, 'SDK renamed');
  assert.equal(updated.description, 'via the SDK');
  assert.equal(updated.created.value.getTime(), created.created.value.getTime());

  const listed = (await models.modelsSnapshot()).iterable.find((m) => m.id === created.id);
  assert.equal(listed.name, 'SDK renamed');

  const cache = await models.modelsDeleteSpecificModelCache({ model: created.id, modelDeleteCacheInput: {} });
  assert.equal(cache.model.id, created.id);

  await models.modelsDeleteSpecificModel({ model: created.id });
  assert.equal(await statusOf(model.modelsSpecificModelSnapshot({ model: created.id })), 410);
});

test('updating a catalog model is a 403 ResponseError', async () => {
  const { iterable } = await models.modelsSnapshot();
  assert.equal(await statusOf(model.modelUpdate({ model: { ...iterable[0], name: 'nope' } })), 403);
});

test('unloadModels succeeds', async () => {
  await models.unloadModels();
});

test('download a custom model from a local file and see it downloaded', async () => {
  const file = process.env.MODELD_TEST_FILE;
  assert.ok(file, 'MODELD_TEST_FILE names a small local model file');
  // The SDK's serializers drop fields they do not know, such as the source extension, so the model
  // is created with plain HTTP, as the CLI and dashboard do; the SDK drives the rest.
  const response = await fetch(`${basePath}/models/create`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: 'SDK download', unique: 'sdk-download',
      source: { url: `file://${file}`, sha256: process.env.MODELD_TEST_FILE_SHA256 },
    }),
  });
  assert.equal(response.status, 200);
  const created = await model.modelsSpecificModelSnapshot({ model: 'sdk-download' });
  const started = await model.modelSpecificModelDownload({ model: created.id });
  assert.equal(started.id, created.id);
  assert.ok(started.downloading === true || started.downloaded === true, 'downloading or already downloaded');
  let snapshot = started;
  for (let i = 0; i < 200 && !snapshot.downloaded; i++) {
    await new Promise((r) => setTimeout(r, 50));
    snapshot = await model.modelsSpecificModelSnapshot({ model: created.id });
  }
  assert.equal(snapshot.downloaded, true);
  assert.equal(snapshot.downloading, false);

  const canceled = await model.modelSpecificModelDownloadCancel({ model: created.id });
  assert.equal(canceled.downloaded, true, 'cancel of a model that is not downloading changes nothing');

  const removed = await models.modelsDeleteSpecificModelCache({ model: created.id, modelDeleteCacheInput: {} });
  assert.equal(removed.model.id, created.id);
  assert.equal((await model.modelsSpecificModelSnapshot({ model: created.id })).downloaded, false);
});

test('download of a model without a source is a 409 ResponseError', async () => {
  const created = await models.modelsCreateNewModel({
    seededModel: {
      version: '1.0.0', created: { value: new Date() }, name: 'SDK sourceless', cloud: false,
      type: ModelTypeEnum.Speed, usage: ModelUsageEnum.CodeConversation, unique: 'sdk-sourceless',
    },
  });
  assert.equal(await statusOf(model.modelSpecificModelDownload({ model: created.id })), 409);
});
