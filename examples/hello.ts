import { defineService } from 'akara/services';
export default defineService({
  id: 'http://example.org/services/hello', path: '/hello',
  params: [{ name: 'name', required: true }, { name: 'times', type: 'integer', default: 1 }],
  handler: ({ params }) => `Hello, ${params.name}!\n`.repeat(params.times as number),
});
