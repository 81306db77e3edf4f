/** A body read up to a bound: all of it, or the bytes past which it ran and the whole body still unread. */
export type BoundedBody =
  | { complete: true; bytes: Uint8Array }
  | { complete: false; head: Uint8Array; rest: ReadableStream<Uint8Array> };

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads a response body of at most `maxBytes`. Past the bound it stops reading and answers the bytes read
 * so far (`head`) and `rest`, a stream of the whole body (those bytes, then what was not read): pass it
 * on untouched, or cancel it.
 */
export async function readBounded(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<BoundedBody> {
  if (body === null) return { complete: true, bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { complete: true, bytes: concat(chunks, size) };
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      const head = concat(chunks, size);
      let replayed = false;
      const rest = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!replayed) {
            replayed = true;
            controller.enqueue(head);
            return;
          }
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        cancel: (reason) => reader.cancel(reason),
      });
      return { complete: false, head, rest };
    }
  }
}
