import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.js';
import { startServer } from '../../server/master.js';
import { fixture, health } from '../helpers/server.js';

describe('reload', () => {
  it('keeps serving with the previous config and workers when the new config is broken', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'akara-reload-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'akara.config.json');
    await writeFile(file, JSON.stringify({ port: 0, modules: [fixture('pool.js')] }));
    const { config } = await loadConfig({ file });
    const server = await startServer({ config, configFile: file, logger: pino({ level: 'silent' }) });
    try {
      const slow = fetch(`${server.url}/test/sleep?ms=800`);
      await writeFile(file, JSON.stringify({ port: 0, modules: [fixture('throws-on-load.js')] }));
      await assert.rejects(server.reload(), { code: 'AKR_ERR_MODULE_LOAD' });
      await writeFile(file, JSON.stringify({ port: 0, pool: { maxThreads: 0 } }));
      await assert.rejects(server.reload(), { code: 'AKR_ERR_CONFIG_INVALID' });
      assert.equal(await (await slow).text(), 'slept 800');
      assert.equal(await (await fetch(`${server.url}/test/sleep?ms=1`)).text(), 'slept 1');
      assert.equal((await health(server.url)).generation, 1);

      // A good config takes over; a request in flight on the old workers still completes.
      const inFlight = fetch(`${server.url}/test/sleep?ms=800`);
      await new Promise((r) => setTimeout(r, 100));
      await writeFile(file, JSON.stringify({ port: 0, modules: [fixture('basics.js')] }));
      await server.reload();
      assert.equal(await (await inFlight).text(), 'slept 800');
      assert.equal((await fetch(`${server.url}/test/sleep`)).status, 404);
      assert.equal(await (await fetch(`${server.url}/test/types/text`)).text(), 'plain text');
      assert.equal((await health(server.url)).generation, 2);
    } finally {
      await server.close();
    }
  });
});
