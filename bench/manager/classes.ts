/**
 * The services and classes the manager group calls, shared by the service modules, the fake peers and
 * the group. Nothing here runs: importing it costs no service loading.
 */

/** What every bench service and fake peer answers, so that the answer alone proves nothing about who sent it. */
export const HELLO_BODY = 'hello\n';

/** A trivial service that both the front server and its peer load: `first` finds the front's own. */
export const HELLO = {
  id: 'http://example.org/bench/hello',
  path: '/bench/hello',
  class: 'http://example.org/bench/classes/hello',
} as const;

/** The same handler, loaded by the peer only: a class the front can reach only over the network. */
export const HELLO_PEER = {
  id: 'http://example.org/bench/hello-peer',
  path: '/bench/hello-peer',
  class: 'http://example.org/bench/classes/hello-peer',
} as const;

/** The fake slow peers' service: one id and path on each, every peer in both race classes. */
export const SLOW = {
  id: 'http://example.org/bench/slow',
  path: '/bench/slow',
  /** Two classes with the same instances, so that one front can race them 2 and 3 wide by config. */
  race2: 'http://example.org/bench/classes/race-2',
  race3: 'http://example.org/bench/classes/race-3',
  /** A class only the named peer has: a single-peer call through the same front. */
  only: (name: string) => `http://example.org/bench/classes/only-${name}`,
} as const;

/** The path that invokes a class (or service id) through the manager. */
export const invokePath = (uri: string) => `/akara/invoke/${encodeURIComponent(uri)}`;
