import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.js';

describe('a TypeScript service module (the README example)', () => {
  it('is compiled on the fly in the workers and served', async () => {
    const server = await startTestServer({ modules: [join(process.cwd(), 'examples', 'hello.ts')] });
    try {
      const res = await fetch(`${server.url}/hello?name=Ada&times=2`);
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await res.text(), 'Hello, Ada!\nHello, Ada!\n');
      assert.equal((await fetch(`${server.url}/hello`)).status, 400);
    } finally {
      await server.close();
    }
  });
});
