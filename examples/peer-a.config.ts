import { defineConfig } from 'akara/config';

/**
 * The first instance of the README's services-manager example: its own greeter, the one on port 8881
 * as a peer, and the greet class mounted at /greet, called round-robin.
 */
export default defineConfig({
  port: 8880,
  modules: ['./greeter.ts'],
  peers: [{ url: 'http://127.0.0.1:8881/', tags: ['second'] }],
  manager: {
    classes: {
      'http://example.org/classes/greet': { strategy: 'round-robin', mount: '/greet' },
    },
  },
});
