import { defineService } from '../../services/define-service.js';
import { HELLO_BODY, HELLO_PEER } from './classes.js';

/** `GET /bench/hello-peer`: hello.ts's service under a class only the peer has. */
export default [
  defineService({ id: HELLO_PEER.id, path: HELLO_PEER.path, classes: [HELLO_PEER.class], description: 'a constant answer, on the peer only', handler: () => HELLO_BODY }),
];
