import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { poolRunner } from '../../middleware/pool-runner.js';
import { transformMiddleware } from '../../middleware/transform.js';
import { inProcessRunner, type TransformJob } from '../../middleware/transform-runner.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { appWith, BOOKS, TRANSFORMS, transformContract, transformed } from './transform.contract.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ transforms: TRANSFORMS, pool: { minThreads: 1, maxThreads: 1, taskTimeoutMs: 5_000 } });
});
after(() => server.close());

describe('transformMiddleware with poolRunner', () => {
  transformContract(() => transformMiddleware({ runner: poolRunner(server) }));

  it('gives the in-process runner\'s bytes and content types, with the server\'s config', async () => {
    const pool = poolRunner(server);
    const local = inProcessRunner(server.runtime.current.config);
    assert.equal(pool.config, server.runtime.current.config);
    const base = `file://${TRANSFORMS}/`;
    const jobs: TransformJob[] = [
      { source: new TextEncoder().encode(BOOKS), sourceUri: 'http://app.test/doc', stylesheets: [`${base}page.xsl`], params: { title: 'Shelf' } },
      { source: new TextEncoder().encode(BOOKS), sourceUri: 'http://app.test/doc', stylesheets: [`${base}wrap.xsl`, `${base}describe.xsl`], params: { tag: 'é & <' } },
      { source: new TextEncoder().encode('<a>\u00e9</a>'), sourceUri: 'http://app.test/doc', stylesheets: [`${base}wrap.xsl`], params: {} },
    ];
    for (const job of jobs) {
      const [fromPool, inProcess] = await Promise.all([pool.run(job), local.run(job)]);
      assert.equal(fromPool.contentType, inProcess.contentType);
      assert.equal(new TextDecoder().decode(fromPool.body as Uint8Array), inProcess.body);
    }
  });

  it('runs the transform in the pool: its task counts go up', async () => {
    const before = await server.runtime.current.pool.stats();
    const app = appWith(transformMiddleware({ runner: poolRunner(server) }), transformed('wrap.xsl', '<a/>'));
    assert.equal(await (await app.request('/doc')).text(), '<wrapped tag="default"><a/></wrapped>');
    const afterStats = await server.runtime.current.pool.stats();
    assert.equal(afterStats.completed, before.completed + 1);
  });
});
