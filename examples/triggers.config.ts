import { defineConfig } from 'akara/config';

/** The secret examples/webhook-receiver.ts verifies with (Standard Webhooks: `whsec_` and base64). */
const secret = 'whsec_ZXhhbXBsZSBzZWNyZXQsIG5vdCBmb3IgcHJvZHVjdGlvbg==';
const hook = 'http://127.0.0.1:8890/hook';

/**
 * The README's trigger example. On POST /akara.echo: an auditor vetoes a forbidden word (before), another
 * stamps the answer (after), and a reactor sends the answer to a webhook; a reactor reports failures too.
 */
export default defineConfig({
  port: 8880,
  modules: ['./auditors.ts'],
  triggers: [
    { name: 'no-forbidden', event: 'before-invoke', filter: { path: '/akara.echo' },
      action: { service: 'http://example.org/auditors/no-forbidden' }, timeoutMs: 2_000, failure: 'closed' },
    { name: 'stamp', event: 'after-invoke', filter: { path: '/akara.echo' }, action: { service: 'http://example.org/auditors/stamp' } },
    { name: 'notify', event: 'after-invoke', mode: 'async', filter: { path: '/akara.echo' }, action: { webhook: hook, secret } },
    { name: 'failures', event: 'invoke-error', mode: 'async', action: { webhook: hook, secret } },
  ],
  // The example's receiver runs on this machine: allow that one host for webhooks. Everything else that is
  // loopback or private stays refused, for webhooks and for fetched documents alike.
  deliveries: { dataDir: '../.akara/example-data', maxAttempts: 5, backoffMs: 500, privateTargets: ['127.0.0.1'] },
});
