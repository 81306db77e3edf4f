import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

let dir: string;
let upstream: Upstream;
let server: TestServer;
const THREADS = 2;

before(async () => {
  // A space with a secret beside it, and a symlink that points out of the space.
  dir = await mkdtemp(join(tmpdir(), 'akara-spaces-'));
  await mkdir(join(dir, 'space'));
  await writeFile(join(dir, 'space', 'doc.xml'), '<doc>inside</doc>');
  await writeFile(join(dir, 'secret.xml'), '<secret/>');
  await symlink(join(dir, 'secret.xml'), join(dir, 'space', 'link.xml'));
  upstream = await startUpstream((req, res) => {
    if (req.url === '/files/a.xml') res.writeHead(200, { 'content-type': 'application/xml' }).end('<a>from upstream</a>');
    else res.writeHead(404).end();
  });
  server = await startTestServer({
    resources: [
      { mount: '/space', root: join(dir, 'space') },
      { mount: '/t', root: 'test/fixtures/xslt' },
      { mount: '/up', base: `${upstream.url}/files/` },
    ],
    pool: { minThreads: THREADS, maxThreads: THREADS, maxQueue: 8 * THREADS },
  });
});
after(async () => {
  await server.close();
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends a request line as it is, without any client normalising the path. */
function rawGet(path: string): Promise<string> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => { data += d; }).on('end', () => resolve(data)).on('error', reject);
  });
}

describe('the listing of a space', () => {
  it('shows the path below the mount in its URL template', async () => {
    const listing = await (await fetch(`${server.url}/`, { headers: { accept: 'application/json' } })).json() as { services: Array<{ id: string; paths: Array<{ path: string; template: string }> }> };
    const space = listing.services.find((s) => s.paths[0]!.path === '/space');
    assert.equal(space?.paths[0]!.template, `${server.url}/space/{path}?xslt={xslt?}`);
    const echo = listing.services.find((s) => s.paths[0]!.path === '/akara.echo');
    assert.equal(echo?.paths[0]!.template, `${server.url}/akara.echo`);
    const xml = await (await fetch(`${server.url}/`)).text();
    assert.match(xml, new RegExp(`<path template="${server.url}/space/\\{path\\}\\?xslt=\\{xslt\\?\\}">/space</path>`));
  });
});

describe('paths that leave a space', () => {
  it('are refused, encoded or not', async () => {
    for (const path of ['/space/..%2Fsecret.xml', '/space/%2e%2e%2Fsecret.xml', '/space/..%5Csecret.xml', '/space/a%00.xml']) {
      await expectProblem(await fetch(`${server.url}${path}`), 403, 'AKR_ERR_PATH_FORBIDDEN');
    }
    for (const path of ['/space/../secret.xml', '/space/%2e%2e/secret.xml', '/space/./../../etc/passwd']) {
      const answer = await rawGet(path);
      assert.match(answer, /^HTTP\/1\.1 404 /, path);
      assert.doesNotMatch(answer, /<secret\/>|root:/, path);
    }
  });

  it('through a symlink are refused', async () => {
    await expectProblem(await fetch(`${server.url}/space/link.xml`), 403, 'AKR_ERR_PATH_FORBIDDEN');
    assert.equal(await (await fetch(`${server.url}/space/doc.xml`)).text(), '<doc>inside</doc>');
  });
});

describe('a space over an upstream base', () => {
  it('serves documents from the base, even on loopback (the operator configured it)', async () => {
    const res = await fetch(`${server.url}/up/a.xml`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '<a>from upstream</a>');
    const transformed = await fetch(`${server.url}/up/a.xml?xslt=/t/wrap.xsl&tag=u`);
    assert.equal(await transformed.text(), '<?xml version="1.0" encoding="UTF-8"?>\n<wrapped tag="u"><a>from upstream</a></wrapped>');
  });

  it('never climbs above the base', async () => {
    const before = upstream.hits.length;
    // Dot segments, encoded or not, are removed by URL parsing before routing: nothing is mounted there.
    await expectProblem(await fetch(`${server.url}/up/%2e%2e/secret`), 404, 'AKR_ERR_NOT_FOUND');
    await expectProblem(await fetch(`${server.url}/up/..%2Fsecret`), 403, 'AKR_ERR_PATH_FORBIDDEN');
    assert.equal(upstream.hits.length, before);
  });

  it('answers 502 when the upstream has no such document', async () => {
    const body = await expectProblem(await fetch(`${server.url}/up/missing.xml`), 502, 'AKR_ERR_UPSTREAM');
    assert.equal(body.upstreamStatus, 404);
  });
});

describe('own URIs', () => {
  it(`are served in process: ${4 * THREADS} concurrent requests whose stylesheet this server serves all complete`, async () => {
    const stylesheet = encodeURIComponent(`${server.url}/t/wrap.xsl`);
    const answers = await Promise.all(Array.from({ length: 4 * THREADS }, (_, i) => fetch(`${server.url}/space/doc.xml?xslt=${stylesheet}&tag=${i}`, { signal: AbortSignal.timeout(10_000) })
      .then((res) => res.text())));
    answers.forEach((text, i) => assert.equal(text, `<?xml version="1.0" encoding="UTF-8"?>\n<wrapped tag="${i}"><doc>inside</doc></wrapped>`));
  });
});
