/**
 * The mutable slot protocol over rpc, beside the immutable one on the same Rpc: serveMutable
 * answers a peer's slot calls from a local MutableSlotApi; mutableClient is a MutableSlotApi
 * whose calls go to a peer. Payloads use wire-layout.ts's strict reader and writer (version
 * byte first, big-endian, every count bounded, trailing bytes an error):
 *
 *   readv                u8 count (≤ MAX_SLOT_VECTORS) | count × (u32 offset | u32 length)
 *   read data            u16 n | n × (u8 shareNum | one (u32 m | m bytes) per read vector)
 *   mutable.slotReadv    req  si (16) | u16 n | n × u8 shareNum | readv;   resp read data
 *   mutable.slotTestvAndReadvAndWritev
 *                        req  si | writeEnabler (32) | renewSecret (32) | cancelSecret (32)
 *                             | u16 n | n × share, then readv
 *                        share: u8 shareNum | u8 t | t × (u32 offset | u32 length | u16 m | m specimen)
 *                             | u8 w | w × (u32 offset | u32 m | m data) | u8 hasNewLength | u32 newLength
 *                        resp u8 written (0 or 1) | read data
 *   mutable.addSlotLease req  si | renewSecret | cancelSecret
 *   mutable.adviseCorruptSlotShare  req si | u8 shareNum | reason (the rest, UTF-8)
 *   responses not listed are the version byte alone.
 * @module
 */
import { utf8ToBytes } from '../bytes.js';
import { MAX_CORRUPT_REASON_BYTES, MAX_SHARES } from '../limits.js';
import { RemoteError } from '../wire/errors.js';
import type { Rpc } from '../wire/rpc-port.js';
import * as v from './_slot-validate.js';
import { assertLeaseSecret, assertReason, assertStorageIndex, LEASE_SECRET_BYTES, STORAGE_INDEX_BYTES } from './_validate.js';
import type { StorageOpts } from './api.js';
import { StorageWireError } from './errors.js';
import type { MutableSlotApi, ReadVector, ShareTestAndWrite, SlotReadData } from './mutable-api.js';
import { MUTABLE_STORAGE_ERRORS } from './mutable-errors.js';
import { PayloadReader, PayloadWriter } from './wire-layout.js';

export const MUTABLE_METHODS = {
  slotReadv: 'mutable.slotReadv',
  slotTestvAndReadvAndWritev: 'mutable.slotTestvAndReadvAndWritev',
  addSlotLease: 'mutable.addSlotLease',
  adviseCorruptSlotShare: 'mutable.adviseCorruptSlotShare',
} as const;
const M = MUTABLE_METHODS;
const SI = STORAGE_INDEX_BYTES;
const SECRET = LEASE_SECRET_BYTES;
const EMPTY_OK = new PayloadWriter().finish();

function writeReadv(w: PayloadWriter, readv: readonly ReadVector[]): PayloadWriter {
  w.u8(readv.length);
  for (const r of readv) w.u32(r.offset).u32(r.length);
  return w;
}

function readReadv(r: PayloadReader): ReadVector[] {
  const count = r.u8();
  const out: ReadVector[] = [];
  for (let i = 0; i < count; i++) out.push({ offset: r.u32(), length: r.u32() });
  return out;
}

function writeReadData(w: PayloadWriter, data: SlotReadData): PayloadWriter {
  w.u16(data.size);
  for (const [shareNum, parts] of data) {
    w.u8(shareNum);
    for (const p of parts) w.u32(p.length).bytes(p);
  }
  return w;
}

/** Read data as answered for `readv`: each part at most its vector's length, share numbers once each. */
function readReadData(r: PayloadReader, readv: readonly ReadVector[], asked: readonly number[]): SlotReadData {
  const n = r.u16();
  if (n > MAX_SHARES) r.fail(`${n} shares, more than ${MAX_SHARES}`);
  const allowed = asked.length === 0 ? undefined : new Set(asked);
  const out: SlotReadData = new Map();
  for (let i = 0; i < n; i++) {
    const shareNum = r.u8();
    if (out.has(shareNum)) r.fail(`share ${shareNum} appears twice`);
    if (allowed !== undefined && !allowed.has(shareNum)) r.fail(`share ${shareNum} was not asked for`);
    out.set(
      shareNum,
      readv.map((vec) => {
        const m = r.u32();
        if (m > vec.length) r.fail(`a part of ${m} bytes answers a read of ${vec.length}`);
        return r.bytes(m).slice();
      }),
    );
  }
  return out;
}

export interface MutableService {
  /** Requests whose payload broke the layout (answered with StorageWireError). */
  readonly malformedRequests: number;
}

/** Answers the mutable slot methods on `rpc` from `server`. */
export function serveMutable(rpc: Rpc, server: MutableSlotApi): MutableService {
  let malformed = 0;
  const handle = (method: string, fn: (r: PayloadReader, opts: StorageOpts) => Promise<Uint8Array>): void => {
    rpc.handle(method, async (payload, opts) => {
      try {
        return await fn(new PayloadReader(payload, method), opts);
      } catch (err) {
        if (err instanceof StorageWireError) malformed++;
        throw err;
      }
    });
  };

  handle(M.slotReadv, async (r, opts) => {
    const si = r.bytes(SI).slice();
    const nums = r.shareNums();
    const readv = readReadv(r);
    r.end();
    return writeReadData(new PayloadWriter(), await server.slotReadv(si, nums, readv, opts)).finish();
  });
  handle(M.slotTestvAndReadvAndWritev, async (r, opts) => {
    const si = r.bytes(SI).slice();
    const secrets = { writeEnabler: r.bytes(v.WRITE_ENABLER_BYTES).slice(), renewSecret: r.bytes(SECRET).slice(), cancelSecret: r.bytes(SECRET).slice() };
    const count = r.u16();
    if (count > MAX_SHARES) r.fail(`${count} shares, more than ${MAX_SHARES}`);
    const writes = new Map<number, ShareTestAndWrite>();
    for (let i = 0; i < count; i++) {
      const shareNum = r.u8();
      if (writes.has(shareNum)) r.fail(`share ${shareNum} appears twice`);
      const test = Array.from({ length: r.u8() }, () => ({ offset: r.u32(), length: r.u32(), specimen: r.bytes(r.u16()).slice() }));
      const write = Array.from({ length: r.u8() }, () => ({ offset: r.u32(), data: r.bytes(r.u32()) }));
      const hasNewLength = r.u8();
      const length = r.u32();
      if (hasNewLength > 1 || (hasNewLength === 0 && length !== 0)) r.fail('newLength is neither absent nor present');
      writes.set(shareNum, { test, write, newLength: hasNewLength === 1 ? length : null });
    }
    const readv = readReadv(r);
    r.end();
    const res = await server.slotTestvAndReadvAndWritev(si, secrets, writes, readv, opts);
    return writeReadData(new PayloadWriter().u8(res.written ? 1 : 0), res.read).finish();
  });
  handle(M.addSlotLease, async (r, opts) => {
    const [si, renew, cancel] = [r.bytes(SI).slice(), r.bytes(SECRET).slice(), r.bytes(SECRET).slice()];
    r.end();
    await server.addSlotLease(si, renew, cancel, opts);
    return EMPTY_OK;
  });
  handle(M.adviseCorruptSlotShare, async (r, opts) => {
    const [si, n] = [r.bytes(SI).slice(), r.u8()];
    const reason = r.utf8(r.rest(MAX_CORRUPT_REASON_BYTES, 'reason'), 'reason');
    await server.adviseCorruptSlotShare(si, n, reason, opts);
    return EMPTY_OK;
  });

  return {
    get malformedRequests() {
      return malformed;
    },
  };
}

/** A MutableSlotApi for the peer at the other end of `rpc`. */
export function mutableClient(rpc: Rpc): MutableSlotApi {
  const call = async (method: string, payload: Uint8Array, opts: StorageOpts): Promise<PayloadReader> => {
    let answer: Uint8Array;
    try {
      answer = await rpc.request(method, payload, { signal: opts.signal });
    } catch (err) {
      throw restoreMutableError(err);
    }
    return new PayloadReader(answer, `${method} response`);
  };

  return {
    async slotReadv(si, shareNums, readv, opts): Promise<SlotReadData> {
      assertStorageIndex(si);
      v.assertShareNums(shareNums);
      v.assertReadv(readv);
      const r = await call(M.slotReadv, writeReadv(new PayloadWriter().bytes(si).shareNums(shareNums), readv).finish(), opts);
      const data = readReadData(r, readv, shareNums);
      r.end();
      return data;
    },
    async slotTestvAndReadvAndWritev(si, secrets, writes, readv, opts) {
      assertStorageIndex(si);
      v.assertSecrets(secrets);
      v.assertWrites(writes);
      v.assertReadv(readv);
      const w = new PayloadWriter().bytes(si).bytes(secrets.writeEnabler).bytes(secrets.renewSecret).bytes(secrets.cancelSecret).u16(writes.size);
      for (const [shareNum, sw] of writes) {
        w.u8(shareNum).u8(sw.test.length);
        for (const t of sw.test) w.u32(t.offset).u32(t.length).u16(t.specimen.length).bytes(t.specimen);
        w.u8(sw.write.length);
        for (const wv of sw.write) w.u32(wv.offset).u32(wv.data.length).bytes(wv.data);
        w.u8(sw.newLength === null ? 0 : 1).u32(sw.newLength ?? 0);
      }
      const r = await call(M.slotTestvAndReadvAndWritev, writeReadv(w, readv).finish(), opts);
      const written = r.u8();
      if (written > 1) r.fail(`"written" is ${written}, not 0 or 1`);
      const read = readReadData(r, readv, []);
      r.end();
      return { written: written === 1, read };
    },
    async addSlotLease(si, renewSecret, cancelSecret, opts): Promise<void> {
      assertStorageIndex(si);
      assertLeaseSecret(renewSecret, 'renewSecret');
      assertLeaseSecret(cancelSecret, 'cancelSecret');
      (await call(M.addSlotLease, new PayloadWriter().bytes(si).bytes(renewSecret).bytes(cancelSecret).finish(), opts)).end();
    },
    async adviseCorruptSlotShare(si, shareNum, reason, opts): Promise<void> {
      assertStorageIndex(si);
      v.assertShareNum(shareNum);
      assertReason(reason);
      (await call(M.adviseCorruptSlotShare, new PayloadWriter().bytes(si).u8(shareNum).bytes(utf8ToBytes(reason)).finish(), opts)).end();
    },
  };
}

/** A RemoteError named after one of the storage or slot errors becomes that class again. */
export function restoreMutableError(err: unknown): unknown {
  if (!(err instanceof RemoteError)) return err;
  const Ctor = (MUTABLE_STORAGE_ERRORS as Record<string, (new (message: string, options?: { cause?: unknown }) => Error) | undefined>)[err.remoteName];
  if (Ctor === undefined) return err;
  const prefix = `the peer answered with ${err.remoteName}: `;
  return new Ctor(err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message, { cause: err });
}
