import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { eventually, fixture, health, startTestServer } from '../helpers/server.js';

const modules = [fixture('pool.js')];

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

describe('the worker pool', () => {
  it('answers 503 AKR_ERR_POOL_SATURATED with Retry-After once threads and queue are full, then serves again', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 1, maxQueue: 2 } });
    try {
      // One running and two queued fill the pool; the rest are refused at once.
      const slow = Array.from({ length: 3 }, () => fetch(`${server.url}/test/sleep?ms=700`));
      await eventually(async () => (await health(server.url)).pool.inFlight === 3, 5_000, 'three requests in flight');
      const refused = await Promise.all(Array.from({ length: 4 }, () => fetch(`${server.url}/test/sleep?ms=1`)));
      for (const res of refused) {
        assert.equal(res.status, 503);
        assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
        assert.equal(await code(res), 'AKR_ERR_POOL_SATURATED');
      }
      for (const res of await Promise.all(slow)) assert.equal(await res.text(), 'slept 700');
      assert.equal(await (await fetch(`${server.url}/test/sleep?ms=1`)).text(), 'slept 1');
    } finally {
      await server.close();
    }
  });

  it('stops a task past its time with 504 AKR_ERR_TASK_TIMEOUT, replaces the thread, and serves the next request', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 1, taskTimeoutMs: 1_000 } });
    try {
      const started = Date.now();
      const res = await fetch(`${server.url}/test/spin?ms=60000`);
      assert.equal(res.status, 504);
      assert.equal(await code(res), 'AKR_ERR_TASK_TIMEOUT');
      assert.ok(Date.now() - started < 5_000);
      assert.equal(await (await fetch(`${server.url}/test/spin?ms=10`)).text(), 'spun');
      const { pool } = await health(server.url);
      assert.equal(pool.timedOut, 1);
    } finally {
      await server.close();
    }
  });

  it('serves waiting requests in the order they arrived', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 1, maxQueue: 16 } });
    try {
      const finished: number[] = [];
      const requests: Array<Promise<void>> = [];
      for (let i = 0; i < 8; i++) {
        requests.push(fetch(`${server.url}/test/sleep?ms=60`).then(async (res) => {
          assert.equal(await res.text(), 'slept 60');
          finished.push(i);
        }));
        // Let each request reach the pool before the next one is sent.
        await new Promise((r) => setTimeout(r, 15));
      }
      await Promise.all(requests);
      assert.deepEqual(finished, [0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await server.close();
    }
  });

  it('counts the time budget from when a thread takes the task, not while it waits in the queue', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 1, taskTimeoutMs: 1_000 } });
    try {
      // Six 200 ms tasks on one thread: the last waits about 1 s, past the budget, before it runs.
      const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(`${server.url}/test/sleep?ms=200`)));
      for (const res of answers) assert.equal(res.status, 200);
    } finally {
      await server.close();
    }
  });

  it('replaces each thread after maxTasksPerThread tasks without failing a request under load', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 2, maxThreads: 2, maxTasksPerThread: 5, maxQueue: 64 } });
    try {
      const threads = new Set<string>();
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${server.url}/test/thread`)));
        for (const res of answers) {
          assert.equal(res.status, 200);
          threads.add(await res.text());
        }
      }
      // 80 tasks at 5 per thread: at least 16 threads served them.
      assert.ok(threads.size >= 16, `only ${threads.size} threads served 80 tasks`);
      const { pool } = await health(server.url);
      assert.ok((pool.recycled as number) >= 14, `recycled ${pool.recycled}`);
      assert.equal(pool.failed, 0);
    } finally {
      await server.close();
    }
  });

  it('a task past its heap budget gets 507 AKR_ERR_TASK_MEMORY and the next request is served', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 1, maxHeapMb: 48 } });
    try {
      const res = await fetch(`${server.url}/test/oom`);
      assert.equal(res.status, 507);
      assert.equal(await code(res), 'AKR_ERR_TASK_MEMORY');
      assert.equal(await (await fetch(`${server.url}/test/thread`)).status, 200);
      assert.equal((await health(server.url)).pool.outOfMemory, 1);
    } finally {
      await server.close();
    }
  });

  it('survives a worker that takes its whole process down: 502 for its request, a new pool process, the next request served', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 2, maxHeapMb: 64 } });
    try {
      const bystander = fetch(`${server.url}/test/sleep?ms=3000`);
      const res = await fetch(`${server.url}/test/oom-fatal`);
      assert.equal(res.status, 502);
      assert.equal(await code(res), 'AKR_ERR_WORKER_CRASHED');
      // A request on the same process when it died fails too, with an answer, not a hang.
      assert.equal(await code(await bystander), 'AKR_ERR_WORKER_CRASHED');
      // Requests sent while the pool process is replaced wait for it.
      assert.equal(await (await fetch(`${server.url}/test/sleep?ms=1`)).text(), 'slept 1');
      const h = await health(server.url);
      assert.equal(h.status, 'ok');
      assert.equal(h.pool.processRestarts, 1);
      assert.ok(server.logs.some((l) => l.msg === 'pool process died; replacing it' && l.signal === 'SIGABRT'));
      // What V8 printed as it aborted is in the log, as JSON lines.
      assert.ok(server.logs.some((l) => l.stream === 'stderr' && /heap|memory|allocation/i.test(String(l.msg))));
    } finally {
      await server.close();
    }
  });

  it('answers 504 even if the pool process stops answering altogether, and recovers when it resumes', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 1, taskTimeoutMs: 1_000 } });
    const pid = (await health(server.url)).pool.processPid as number;
    try {
      process.kill(pid, 'SIGSTOP');
      const started = Date.now();
      const res = await fetch(`${server.url}/test/sleep?ms=1`);
      assert.equal(res.status, 504);
      assert.equal(await code(res), 'AKR_ERR_TASK_TIMEOUT');
      assert.ok(Date.now() - started < 4_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    try {
      assert.equal(await (await fetch(`${server.url}/test/sleep?ms=1`)).text(), 'slept 1');
    } finally {
      await server.close();
    }
  });

  it('aborts the task of a client that disconnects', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 1 } });
    try {
      const req = request(`${server.url}/test/spin?ms=60000`);
      req.on('error', () => {});
      req.end();
      await eventually(async () => (await health(server.url)).pool.running === 1, 5_000, 'the task to start');
      req.destroy();
      await eventually(async () => (await health(server.url)).pool.aborted === 1, 5_000, 'the task to be aborted');
      const started = Date.now();
      assert.equal(await (await fetch(`${server.url}/test/spin?ms=10`)).text(), 'spun');
      assert.ok(Date.now() - started < 5_000, 'the thread was freed');
    } finally {
      await server.close();
    }
  });

  it('grows under load and shrinks back to minThreads when idle', async () => {
    const server = await startTestServer({ modules, pool: { minThreads: 1, maxThreads: 2, idleTimeoutMs: 200 } });
    try {
      await Promise.all(Array.from({ length: 4 }, () => fetch(`${server.url}/test/sleep?ms=300`)));
      await eventually(async () => (await health(server.url)).pool.threads === 1, 5_000, 'the pool to shrink');
      const answers = Promise.all(Array.from({ length: 2 }, () => fetch(`${server.url}/test/sleep?ms=500`)));
      await eventually(async () => (await health(server.url)).pool.threads === 2, 5_000, 'the pool to grow');
      for (const res of await answers) assert.equal(res.status, 200);
    } finally {
      await server.close();
    }
  });
});
