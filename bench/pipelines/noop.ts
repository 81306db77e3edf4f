import { defineService } from '../../services/define-service.js';

/** `POST /bench/noop`: answers '' at once. The trigger bench's action, so that what is measured is the trigger's way to it. */
export const NOOP_ID = 'http://example.org/bench/noop';

export default [
  defineService({ id: NOOP_ID, path: '/bench/noop', description: 'answers nothing, at once (a trigger action for the bench)', method: 'POST', handler: () => '' }),
];
