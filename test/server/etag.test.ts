import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { health, startTestServer, type TestServer } from '../helpers/server.js';

let dir: string;
let server: TestServer;
before(async () => {
  // Copies of the example space and transforms, so the test can change them.
  dir = await mkdtemp(join(tmpdir(), 'akara-etag-'));
  await cp('examples/docs', join(dir, 'docs'), { recursive: true });
  await cp('examples/transforms', join(dir, 'transforms'), { recursive: true });
  server = await startTestServer({
    resources: [{ mount: '/docs', root: join(dir, 'docs') }],
    transforms: join(dir, 'transforms'),
    pool: { minThreads: 1, maxThreads: 1 },
  });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const page = `/docs/catalog.xml?xslt=catalog-html&title=Shelf`;
const get = (path: string, etag?: string) => fetch(`${server.url}${path}`, etag === undefined ? {} : { headers: { 'if-none-match': etag } });
const completed = async () => Number((await health(server.url)).pool.completed);

/** Waits past the file system's timestamp granularity, so a rewrite changes the mtime. */
const tick = () => new Promise((r) => setTimeout(r, 20));

describe('ETags of GET answers', () => {
  it('are strong, and If-None-Match answers 304 without running a worker task', async () => {
    const first = await get(page);
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"[\w-]{32}"$/);
    assert.match(await first.text(), /<h1>Shelf<\/h1>/);
    const tasks = await completed();
    for (let i = 0; i < 3; i++) {
      const again = await get(page, etag);
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('etag'), etag);
      assert.equal(await again.text(), '');
    }
    assert.equal(await completed(), tasks);
  });

  it('change with the params, and with the source', async () => {
    const etag = (await get(page)).headers.get('etag')!;
    const other = await get('/docs/catalog.xml?xslt=catalog-html&title=Other');
    assert.notEqual(other.headers.get('etag'), etag);
    await tick();
    const catalog = join(dir, 'docs', 'catalog.xml');
    await writeFile(catalog, (await readFile(catalog, 'utf8')).replace('Foundation', 'Foundation and Empire'));
    const changed = await get(page, etag);
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    assert.match(await changed.text(), /Foundation and Empire/);
  });

  it('change when a module the stylesheet imports changes: never stale', async () => {
    const etag = (await get(page)).headers.get('etag')!;
    await tick();
    const layout = join(dir, 'transforms', 'page.xsl');
    await writeFile(layout, (await readFile(layout, 'utf8')).replace('<h1>', '<h1 class="changed">'));
    const changed = await get(page, etag);
    assert.equal(changed.status, 200);
    assert.match(await changed.text(), /<h1 class="changed">Shelf<\/h1>/);
    const newer = changed.headers.get('etag')!;
    assert.notEqual(newer, etag);
    assert.equal((await get(page, newer)).status, 304);
  });

  it('cover plain documents and GETs of akara.xslt, not POSTs', async () => {
    const doc = await get('/docs/catalog.xml');
    const etag = doc.headers.get('etag')!;
    assert.ok(etag);
    assert.equal((await get('/docs/catalog.xml', etag)).status, 304);
    assert.equal((await get('/docs/catalog.xml', `"other", ${etag}`)).status, 304);
    assert.equal((await get('/docs/catalog.xml', '"other"')).status, 200);
    const viaGet = await get('/akara.xslt?@xslt=catalog-html&@source=/docs/catalog.xml');
    assert.ok(viaGet.headers.get('etag'));
    assert.equal((await get('/akara.xslt?@xslt=catalog-html&@source=/docs/catalog.xml', viaGet.headers.get('etag')!)).status, 304);
    const viaPost = await fetch(`${server.url}/akara.xslt?@xslt=catalog-html`, { method: 'POST', body: '<catalog/>' });
    assert.equal(viaPost.headers.get('etag'), null);
  });
});
