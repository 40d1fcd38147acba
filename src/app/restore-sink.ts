/**
 * Where a restore's verified plaintext goes: each chunk becomes a small Blob at once, so the
 * bytes move out of the JS heap into the browser's blob storage (which spills to disk), and the
 * finished Blob is saved through an `<a download>` click. Chosen for this issue over a streamed
 * save (File System Access / a service-worker download), which a later issue can add: the heap
 * stays bounded by the pipeline, not by the file.
 * @module
 */

export class RestoreSink {
  #parts: Blob[] = [];
  #bytes = 0;

  /** Takes one chunk of plaintext; the caller may drop its reference at once. */
  push(chunk: Uint8Array): void {
    // Blob copies the bytes; an exact-size copy first avoids cloning a larger backing buffer.
    const exact = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
    this.#parts.push(new Blob([exact as Uint8Array<ArrayBuffer>]));
    this.#bytes += chunk.byteLength;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The whole file, once every chunk was pushed. */
  finish(type = 'application/octet-stream'): Blob {
    const blob = new Blob(this.#parts, { type });
    this.#parts = [];
    return blob;
  }
}

/** Saves a Blob through the browser's download, under `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its own reference by now; give the page's memory back a bit later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
