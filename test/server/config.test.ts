import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, resolveConfig } from '../../server/config.js';
import { AkaraError } from '../../services/errors.js';
import { fixture, startTestServer } from '../helpers/server.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'configs');

function configError(input: unknown): string {
  try {
    resolveConfig(input, { baseDir: process.cwd() });
  } catch (err) {
    assert.ok(err instanceof AkaraError);
    assert.equal(err.code, 'AKR_ERR_CONFIG_INVALID');
    return err.message;
  }
  assert.fail('the config was accepted');
}

describe('config', () => {
  it('fills every default for an empty config, suited to a 2-core machine', () => {
    const config = resolveConfig({}, { baseDir: '/srv/akara' });
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8880);
    assert.deepEqual({ ...config.pool }, { minThreads: 1, maxThreads: 2, idleTimeoutMs: 30_000, maxQueue: 64, maxTasksPerThread: 10_000, taskTimeoutMs: 30_000, maxHeapMb: 256 });
    assert.equal(config.runDir, '/srv/akara/.akara');
  });

  it('reports every problem at once, each with its path', () => {
    const message = configError({ port: 'eighty', pool: { maxThreads: 0, idleTimeoutMs: 1.5, maxThred: 2 }, limits: { maxBodyBytes: -1 }, colour: 'red', log: { level: 'loud' } });
    assert.equal(message, [
      'The configuration is not valid:',
      '  - port must be a port number (0-65535)',
      '  - pool.maxThreads must be a positive integer',
      '  - pool.idleTimeoutMs must be a positive integer',
      '  - pool.maxThred is not a known option',
      '  - limits.maxBodyBytes must be a positive integer',
      '  - log.level must be one of fatal, error, warn, info, debug, trace, silent',
      '  - colour is not a known option',
    ].join('\n'));
  });

  it('checks values against each other and that modules exist', () => {
    assert.match(configError({ pool: { minThreads: 3, maxThreads: 2 } }), /pool\.minThreads must not exceed pool\.maxThreads \(2\)/);
    const secret = 'a secret of at least 24 characters';
    assert.match(configError({ events: { secret: Array.from({ length: 9 }, () => secret) } }), /events\.secret must hold 1 to 8 secrets of at least 24 characters each/);
    assert.match(configError({ events: { secret: [secret, 'short'] } }), /events\.secret\[1\] must be at least 24 characters/);
    assert.match(configError({ events: { secret: 'short' } }), /events\.secret must be at least 24 characters/);
    assert.match(configError({ events: { secret: 42 } }), /events\.secret must be a secret of at least 24 characters, or a list of them/);
    // Reported with the config's other problems, not only when there are none.
    assert.match(configError({ port: -1, pool: { minThreads: 3, maxThreads: 2 } }), /port must be a port number.*\n {2}- pool\.minThreads must not exceed pool\.maxThreads \(2\)|pool\.minThreads must not exceed.*\n {2}- port must be/);
    assert.match(configError({ modules: ['./no/such/module.js', 'no-such-package-akara'] }),
      /modules\[0\] file .*no\/such\/module\.js does not exist\n {2}- modules\[1\] package 'no-such-package-akara' cannot be found/);
  });

  it('is frozen once validated', () => {
    const config = resolveConfig({}, { baseDir: process.cwd() });
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.pool));
    assert.throws(() => { (config.pool as { maxThreads: number }).maxThreads = 9; }, TypeError);
  });

  it('loads .mjs and .json files giving only what they change, paths relative to the file', async () => {
    const mjs = await loadConfig({ file: join(fixtures, 'partial.mjs') });
    assert.equal(mjs.config.port, 9999);
    assert.equal(mjs.config.pool.maxThreads, 3);
    assert.equal(mjs.config.pool.minThreads, 1);
    const json = await loadConfig({ file: join(fixtures, 'partial.json') });
    assert.equal(json.config.pool.maxQueue, 5);
    assert.deepEqual(json.config.modules, [fixture('basics.js')]);
  });

  it('loads .ts and .js files, and command-line overrides win', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'akara-config-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const defineConfig = join(process.cwd(), 'dist', 'server', 'config.js');
    await writeFile(join(dir, 'a.ts'), `import { defineConfig } from ${JSON.stringify(defineConfig)};\nconst port: number = 7001;\nexport default defineConfig({ port, pool: { maxQueue: 7 } });\n`);
    await writeFile(join(dir, 'b.js'), 'export default { host: "::1" };\n');
    const ts = await loadConfig({ file: join(dir, 'a.ts'), overrides: { port: 7002 } });
    assert.equal(ts.config.port, 7002);
    assert.equal(ts.config.pool.maxQueue, 7);
    assert.equal((await loadConfig({ file: join(dir, 'b.js') })).config.host, '::1');
    await assert.rejects(loadConfig({ file: join(dir, 'missing.mjs') }), { code: 'AKR_ERR_CONFIG_LOAD' });
  });

  it('the default akara.config.ts is valid', async () => {
    const { config, file } = await loadConfig({ cwd: process.cwd() });
    assert.equal(file, join(process.cwd(), 'akara.config.ts'));
    assert.equal(config.port, 8880);
  });
});

describe('service modules at start', () => {
  it('a module that fails to load stops the start with its error', async () => {
    await assert.rejects(startTestServer({ modules: [fixture('throws-on-load.js')] }), {
      code: 'AKR_ERR_MODULE_LOAD',
      message: `Service module ${fixture('throws-on-load.js')} could not be loaded: cannot connect to the catalog database`,
    });
  });

  it('a bad definition stops the start, naming the module and the service', async () => {
    await assert.rejects(startTestServer({ modules: [fixture('bad-param-type.js')] }), {
      code: 'AKR_ERR_SERVICE_DEFINITION',
      message: `module ${fixture('bad-param-type.js')}, service http://example.org/test/bad-param: param 'n' has unknown type 'int' (known: string, integer, number, boolean, uri)`,
    });
  });

  it('a mount point used twice stops the start, naming both', async () => {
    await assert.rejects(startTestServer({ modules: [fixture('duplicate-mount.js')] }), {
      code: 'AKR_ERR_SERVICE_DEFINITION',
      message: /service http:\/\/example.org\/test\/my-echo: mount path '\/akara.echo' is already used by service http:\/\/purl.org\/akara\/services\/builtin\/echo/,
    });
  });

  it('a module that defines no service is refused', async () => {
    await assert.rejects(startTestServer({ modules: [fixture('no-services.js')] }), { code: 'AKR_ERR_MODULE_LOAD', message: /exports no service/ });
  });
});
