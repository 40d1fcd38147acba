/**
 * The ImmutableFiles port of directories over the grid client: a snapshot's bytes are uploaded
 * as an ordinary immutable file (a LIT cap when tiny, else CHK) and downloaded whole, verified.
 * @module
 */
import { concatBytes } from '../bytes.js';
import type { GridClient } from '../grid/client.js';
import { bytesFileSource } from '../immutable/source.js';
import { MAX_MUTABLE_FILE_BYTES } from '../limits.js';
import type { ImmutableFiles } from './directory.js';
import { DirectoryFormatError } from './errors.js';

export function gridImmutableFiles(client: GridClient): ImmutableFiles {
  return {
    async upload(contents, opts) {
      return (await client.upload(bytesFileSource(contents), { signal: opts.signal })).cap;
    },
    async download(cap, opts) {
      // A snapshot is bounded like a mutable directory, so a huge file passed as one is refused early.
      if (cap.kind === 'chk' && cap.size > MAX_MUTABLE_FILE_BYTES) {
        throw new DirectoryFormatError(`this snapshot is ${cap.size} bytes; a directory is at most ${MAX_MUTABLE_FILE_BYTES}`);
      }
      const parts: Uint8Array[] = [];
      for await (const part of client.download(cap, { signal: opts.signal })) parts.push(part);
      return concatBytes(...parts);
    },
  };
}
