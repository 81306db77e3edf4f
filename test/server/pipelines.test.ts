import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectProblem } from '../helpers/problem.js';
import { fixture, startTestServer, type TestServer } from '../helpers/server.js';

const XSLT = 'http://purl.org/akara/services/builtin/xslt';
const XML2JSON = 'http://purl.org/akara/services/builtin/xml2json';

const base = {
  resources: [{ mount: '/docs', root: 'examples/docs' }, { mount: '/t', root: 'test/fixtures/xslt' }],
  transforms: 'examples/transforms',
  pool: { minThreads: 1, maxThreads: 1 },
};

let server: TestServer;
before(async () => {
  server = await startTestServer({
    ...base,
    pipelineTrace: true,
    pipelines: [{
      id: 'http://example.org/pipelines/recent-titles',
      path: '/recent-titles',
      stages: [
        { service: XSLT, params: { '@xslt': 'titles' } },
        { service: XSLT, params: { '@xslt': 'since', min: '1965' } },
        { service: XML2JSON },
      ],
    }, {
      id: 'http://example.org/pipelines/svg-summary',
      path: '/svg-summary',
      stages: [
        { service: XSLT, params: { '@xslt': '/t/identity.xsl' } },
        { service: XSLT, params: { '@xslt': '/t/svg.xsl' } },
        { service: XSLT, params: { '@xslt': '/t/svg-summary.xsl' } },
      ],
    }, {
      id: 'http://example.org/pipelines/broken',
      path: '/broken',
      stages: [
        { service: XSLT, params: { '@xslt': 'titles' } },
        { service: XSLT, params: { '@xslt': '/t/broken.xsl' } },
      ],
    }],
  });
});
after(() => server.close());

const t = (year: string, title: string) => ({ name: 't', attributes: { year }, children: [title] });
const RECENT = {
  children: [{
    name: 'titles',
    attributes: { since: '1965' },
    children: [t('1965', 'Dune'), t('1969', 'The Lathe of Heaven'), t('1968', 'The Left Hand of Darkness')],
  }],
};

describe('pipelines', () => {
  it('run their stages in order: XSLT, XSLT, XML->JSON, the first with the client\'s query and body', async () => {
    const viaSource = await fetch(`${server.url}/recent-titles?@source=/docs/catalog.xml`);
    assert.equal(viaSource.status, 200);
    assert.equal(viaSource.headers.get('content-type'), 'application/json');
    assert.deepEqual(await viaSource.json(), RECENT);
    const catalog = await (await fetch(`${server.url}/docs/catalog.xml`)).text();
    const viaBody = await fetch(`${server.url}/recent-titles`, { method: 'POST', body: catalog, headers: { 'content-type': 'application/xml' } });
    assert.deepEqual(await viaBody.json(), RECENT);
  });

  it('are listed at / like any service', async () => {
    const listing = await (await fetch(`${server.url}/`, { headers: { accept: 'application/json' } })).json() as { services: Array<{ id: string; paths: Array<{ path: string }>; description: string }> };
    const pipeline = listing.services.find((s) => s.id === 'http://example.org/pipelines/recent-titles');
    assert.equal(pipeline?.paths[0]?.path, '/recent-titles');
    assert.equal(pipeline?.description, `Pipeline: ${XSLT} -> ${XSLT} -> ${XML2JSON}`);
  });

  it('answer each stage\'s output, params and duration on ?trace=1', async () => {
    const res = await fetch(`${server.url}/recent-titles?@source=/docs/catalog.xml&trace=1`);
    const trace = await res.json() as { pipeline: string; stages: Array<{ stage: number; service: string; params: string[][]; status: number; durationMs: number; outputTree: boolean; output: string }> };
    assert.equal(trace.pipeline, 'http://example.org/pipelines/recent-titles');
    assert.deepEqual(trace.stages.map((s) => [s.stage, s.service, s.status]), [[1, XSLT, 200], [2, XSLT, 200], [3, XML2JSON, 200]]);
    assert.deepEqual(trace.stages[0]!.params, [['@source', '/docs/catalog.xml'], ['@xslt', 'titles']]);
    assert.deepEqual(trace.stages[1]!.params, [['@xslt', 'since'], ['min', '1965']]);
    assert.match(trace.stages[0]!.output, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<titles><t year="1965">Dune<\/t><t year="1951">Foundation<\/t>/);
    assert.deepEqual(JSON.parse(trace.stages[2]!.output), RECENT);
    for (const s of trace.stages) assert.ok(typeof s.durationMs === 'number' && s.durationMs >= 0);
    // Both XSLT stages hand their result tree on with the bytes; the last stage has no next one.
    assert.deepEqual(trace.stages.map((s) => s.outputTree), [true, true, false]);
  });

  it('hand each XSLT result on as a tree, namespaces included, with the same answer as separate calls', async () => {
    const source = '<a xmlns:x="urn:x"><x:b/>text</a>';
    const res = await fetch(`${server.url}/svg-summary`, { method: 'POST', body: source });
    assert.equal(res.status, 200);
    const answer = await res.text();
    assert.equal(answer, '<summary elements="2" text="2"/>');
    let body = source;
    for (const xsl of ['identity', 'svg', 'svg-summary']) {
      body = await (await fetch(`${server.url}/akara.xslt?@xslt=/t/${xsl}.xsl`, { method: 'POST', body })).text();
    }
    assert.equal(body, answer);
    const trace = await (await fetch(`${server.url}/svg-summary?trace=1`, { method: 'POST', body: source })).json() as { stages: Array<{ outputTree: boolean }> };
    assert.deepEqual(trace.stages.map((s) => s.outputTree), [true, true, false]);
  });

  it('stop at a failing stage with an error naming the stage and the service', async () => {
    const body = await expectProblem(await fetch(`${server.url}/broken?@source=/docs/catalog.xml`), 422, 'AKR_ERR_XSLT_COMPILE');
    assert.equal(body.stage, 2);
    assert.equal(body.stageService, XSLT);
    assert.match(String(body.detail), /^Pipeline stage 2 \(http:\/\/purl.org\/akara\/services\/builtin\/xslt\): The stylesheet/);
  });

  it('check their stages when the server starts', async () => {
    /** The start's error; a server that starts anyway is closed, and the test fails. */
    const startFails = async (pipeline: { stages: Array<{ service: string }> }): Promise<Error & { code?: string }> => {
      let started: TestServer;
      try {
        started = await startTestServer({ ...base, pipelines: [{ id: 'http://example.org/p', path: '/p', ...pipeline }] });
      } catch (err) {
        return err as Error;
      }
      await started.close();
      assert.fail('the server started');
    };
    const unknown = await startFails({ stages: [{ service: 'http://example.org/none' }] });
    assert.equal(unknown.code, 'AKR_ERR_SERVICE_DEFINITION');
    assert.match(unknown.message, /pipeline http:\/\/example.org\/p: stage 1 names http:\/\/example.org\/none, which no module defines/);
    const noPost = await startFails({ stages: [{ service: XSLT }, { service: 'http://purl.org/akara/services/builtin/resources/docs' }] });
    assert.equal(noPost.code, 'AKR_ERR_SERVICE_DEFINITION');
    assert.match(noPost.message, /stage 2 \(http:\/\/purl.org\/akara\/services\/builtin\/resources\/docs\) takes the previous output as a body, but has no POST/);
  });
});

describe('a pipeline defined in code', () => {
  it('is exported by a module like a service and runs the same way', async () => {
    const coded = await startTestServer({ ...base, modules: [fixture('pipeline.js')] });
    try {
      const res = await fetch(`${coded.url}/test/wrapped.json`, { method: 'POST', body: '<a>1</a>' });
      assert.deepEqual(await res.json(), { children: [{ name: 'wrapped', attributes: { tag: 'code' }, children: [{ name: 'a', attributes: {}, children: ['1'] }] }] });
    } finally {
      await coded.close();
    }
  });
});

describe('pipeline traces', () => {
  it('are refused unless the config allows them', async () => {
    const plain = await startTestServer({ ...base, pipelines: [{ id: 'http://example.org/p', path: '/p', stages: [{ service: XML2JSON }] }] });
    try {
      await expectProblem(await fetch(`${plain.url}/p?trace=1`, { method: 'POST', body: '<a/>' }), 400, 'AKR_ERR_PARAM_UNKNOWN');
      assert.deepEqual(await (await fetch(`${plain.url}/p`, { method: 'POST', body: '<a/>' })).json(), { children: [{ name: 'a', attributes: {}, children: [] }] });
    } finally {
      await plain.close();
    }
  });
});
