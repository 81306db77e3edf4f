// autocannon 9 ships no types: the part of its API the bench uses.
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Requests in all, instead of a duration. */
    amount?: number;
    method?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
  }
  interface Result {
    /** Seconds. */
    duration: number;
    /** Every failed request, timeouts included. */
    errors: number;
    timeouts: number;
    statusCodeStats: Record<string, { count: number }>;
    /** Milliseconds. */
    latency: { p50: number; p99: number; mean: number };
    requests: { total: number };
  }
  export default function autocannon(options: Options): PromiseLike<Result>;
}
