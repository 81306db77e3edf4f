import { defineService } from '../../services/define-service.js';
import { HELLO, HELLO_BODY } from './classes.js';

/** `GET /bench/hello`: a constant answer, so that what is measured is the way to it. Loaded by the front and its peer. */
export default [
  defineService({ id: HELLO.id, path: HELLO.path, classes: [HELLO.class], description: 'a constant answer, for the manager bench', handler: () => HELLO_BODY }),
];
