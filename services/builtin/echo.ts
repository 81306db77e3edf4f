import { defineService } from '../define-service.js';

/**
 * `GET /akara.echo?a=1&b=2` answers one `name=value` line per query parameter, sorted by name;
 * `POST /akara.echo` answers the request's content type, its length and the body.
 */
export default defineService({
  id: 'http://purl.org/akara/services/builtin/echo',
  path: '/akara.echo',
  description: 'Echoes the query parameters (GET) or the request body with its type and length (POST)',
  additionalParams: true,
  contentType: 'text/plain; charset=utf-8',
  methods: {
    GET: ({ query }) => {
      const lines = [...query].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => `${name}=${value}\n`);
      return lines.join('');
    },
    POST: ({ body, contentType }) => {
      const bytes = body ?? new Uint8Array(0);
      const head = new TextEncoder().encode(`Content-Type: ${contentType ?? ''}\nContent-Length: ${bytes.byteLength}\n\n`);
      const out = new Uint8Array(head.byteLength + bytes.byteLength);
      out.set(head, 0);
      out.set(bytes, head.byteLength);
      return out;
    },
  },
});
