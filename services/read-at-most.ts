/** An undici response body: chunks as they arrive, and a way to stop reading. */
export interface ChunkedBody extends AsyncIterable<Uint8Array> {
  destroy(): void;
}

/**
 * Reads a whole response body of at most `maxBytes`, counting as it arrives: past the bound it stops
 * reading, drops the connection's body and throws `tooLarge()`.
 */
export async function readAtMost(body: ChunkedBody, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}
