import { defineConfig } from 'akara/config';

/** The second instance of the README's services-manager example: a greeter on port 8881. */
export default defineConfig({
  port: 8881,
  modules: ['./greeter.ts'],
});
