import { defineService } from 'akara/services';

/** A service of the class `http://example.org/classes/greet`: the README's two-instance example. */
export default defineService({
  id: 'http://example.org/services/greeter',
  path: '/greeter',
  classes: ['http://example.org/classes/greet'],
  params: [{ name: 'name', default: 'world' }],
  description: 'Greets someone, naming the server that answered',
  handler: ({ params }, _res, ctx) => `hello ${params.name as string}, from ${ctx.publicRoot}\n`,
});
