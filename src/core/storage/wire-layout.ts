/**
 * The storage protocol's payloads on the wire (version 1): one strict binary layout per request
 * and response, carried by rpc under the method names below. Big-endian integers; share numbers
 * are one byte (MAX_SHARES = 256); every count and length is bounded; trailing bytes are an error.
 *
 *   every payload     [0] u8 version = 1, then the body:
 *   getVersion        req  —
 *                     resp u8 n, nodeId (n bytes UTF-8) | u64 maxShareBytes | u64 availableBytes
 *                          | u64 capacityBytes | u64 usedBytes | u32 protocolVersion
 *   allocateBuckets   req  si (16) | renewSecret (32) | cancelSecret (32) | u64 allocatedSize
 *                          | u16 n (≤ 256) | n × u8 shareNum
 *                     resp u16 n | n × u8 alreadyHave | u16 m | m × u8 allocated
 *   writeShare        req  si | u8 shareNum | u64 offset | data (the rest, ≤ MAX_SHARE_WRITE_BYTES)
 *   closeShare, abortShare   req si | u8 shareNum
 *   listShares        req  si;   resp u16 n | n × u8 shareNum (ascending)
 *   readShare         req  si | u8 shareNum | u64 offset | u32 length;  resp data (the rest, ≤ length)
 *   addLease          req  si | renewSecret | cancelSecret
 *   adviseCorruptShare req si | u8 shareNum | reason (the rest, UTF-8, ≤ MAX_CORRUPT_REASON_BYTES)
 *   responses not listed are the version byte alone.
 * @module
 */
import { bytesToUtf8, readUint32BE, readUint64BE, utf8ToBytes, writeUint32BE, writeUint64BE } from '../bytes.js';
import { MAX_SHARES_PER_REQUEST } from '../limits.js';
import { StorageWireError } from './errors.js';

export const STORAGE_WIRE_VERSION = 1;

/** rpc method names, one per StorageApi method. */
export const STORAGE_METHODS = {
  getVersion: 'storage.getVersion',
  allocateBuckets: 'storage.allocateBuckets',
  writeShare: 'storage.writeShare',
  closeShare: 'storage.closeShare',
  abortShare: 'storage.abortShare',
  listShares: 'storage.listShares',
  readShare: 'storage.readShare',
  addLease: 'storage.addLease',
  adviseCorruptShare: 'storage.adviseCorruptShare',
} as const;

/** Builds one payload: the version byte, then fields appended in order, into one exact buffer. */
export class PayloadWriter {
  readonly #parts: Uint8Array[] = [new Uint8Array([STORAGE_WIRE_VERSION])];
  #length = 1;

  bytes(b: Uint8Array): this {
    this.#parts.push(b);
    this.#length += b.length;
    return this;
  }

  u8(n: number): this {
    return this.bytes(new Uint8Array([n]));
  }

  u16(n: number): this {
    return this.bytes(new Uint8Array([n >>> 8, n & 0xff]));
  }

  u32(n: number): this {
    const b = new Uint8Array(4);
    writeUint32BE(b, 0, n);
    return this.bytes(b);
  }

  u64(n: number): this {
    const b = new Uint8Array(8);
    writeUint64BE(b, 0, n);
    return this.bytes(b);
  }

  /** A list of share numbers: u16 count, then one byte each. */
  shareNums(nums: readonly number[]): this {
    return this.u16(nums.length).bytes(Uint8Array.from(nums));
  }

  /** A short UTF-8 string: u8 length, then its bytes. */
  shortText(text: string): this {
    const b = utf8ToBytes(text);
    if (b.length > 255) throw new RangeError(`"${text.slice(0, 20)}…" is longer than 255 bytes`);
    return this.u8(b.length).bytes(b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Reads one payload strictly: any short, long or out-of-range field is a StorageWireError. */
export class PayloadReader {
  readonly #b: Uint8Array;
  readonly #what: string;
  #at = 1;

  constructor(payload: Uint8Array, what: string) {
    this.#b = payload;
    this.#what = what;
    if (!(payload instanceof Uint8Array) || payload.length < 1) this.fail('it is empty');
    if (payload[0] !== STORAGE_WIRE_VERSION) this.fail(`version ${payload[0]} is not ${STORAGE_WIRE_VERSION}`);
  }

  fail(why: string): never {
    throw new StorageWireError(`malformed ${this.#what} payload: ${why}`);
  }

  bytes(n: number): Uint8Array {
    if (this.#at + n > this.#b.length) this.fail(`it ends before byte ${this.#at + n}`);
    const out = this.#b.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  /** Everything left (data, reasons), at most `max` bytes. */
  rest(max: number, name: string): Uint8Array {
    const n = this.#b.length - this.#at;
    if (n > max) this.fail(`"${name}" is ${n} bytes, more than ${max}`);
    return this.bytes(n);
  }

  u8(): number {
    return this.bytes(1)[0]!;
  }

  u16(): number {
    const b = this.bytes(2);
    return (b[0]! << 8) | b[1]!;
  }

  u32(): number {
    return readUint32BE(this.bytes(4), 0);
  }

  u64(): number {
    const b = this.bytes(8);
    try {
      return readUint64BE(b, 0);
    } catch {
      return this.fail('a 64-bit field is larger than 2^53');
    }
  }

  shareNums(): number[] {
    const n = this.u16();
    if (n > MAX_SHARES_PER_REQUEST) this.fail(`${n} share numbers, more than ${MAX_SHARES_PER_REQUEST}`);
    const nums = [...this.bytes(n)];
    if (new Set(nums).size !== nums.length) this.fail('a share number appears twice');
    return nums;
  }

  shortText(max: number, name: string): string {
    const n = this.u8();
    if (n > max) this.fail(`"${name}" is ${n} bytes, more than ${max}`);
    return this.utf8(this.bytes(n), name);
  }

  utf8(b: Uint8Array, name: string): string {
    try {
      return bytesToUtf8(b);
    } catch {
      return this.fail(`"${name}" is not UTF-8`);
    }
  }

  /** Asserts nothing is left over. */
  end(): void {
    if (this.#at !== this.#b.length) this.fail(`${this.#b.length - this.#at} bytes left over`);
  }
}
