import { defineService } from 'akara/services';

const text = (body: Uint8Array | undefined) => new TextDecoder().decode(body ?? new Uint8Array(0));

/** The README's trigger example: an auditor that vetoes a word, and one that stamps answers. */
export default [
  defineService({
    id: 'http://example.org/auditors/no-forbidden',
    path: '/auditors/no-forbidden',
    method: 'POST',
    description: 'Vetoes a request whose body holds the word "forbidden"',
    handler: ({ body }, res) => {
      if (!/\bforbidden\b/i.test(text(body))) return '';
      res.status(422);
      return 'the body holds a forbidden word';
    },
  }),
  defineService({
    id: 'http://example.org/auditors/stamp',
    path: '/auditors/stamp',
    method: 'POST',
    description: 'Appends a line naming the service to an answer',
    handler: ({ body, headers }, res) => {
      res.header('akara-trigger-action', 'modify');
      res.header('content-type', 'text/plain; charset=utf-8');
      return `${text(body)}\n-- audited after ${headers['akara-service'] ?? '?'}\n`;
    },
  }),
];
