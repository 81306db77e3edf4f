import assert from 'node:assert/strict';

/** Asserts a problem+json answer with its status and code; answers the body. */
export async function expectProblem(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const body = await res.text();
  assert.equal(res.status, status, body);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const problem = JSON.parse(body) as Record<string, unknown>;
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
  assert.equal(problem.requestId, res.headers.get('x-request-id'));
  return problem;
}
