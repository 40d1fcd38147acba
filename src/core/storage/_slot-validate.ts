/**
 * Argument checks at the mutable slot boundary (house style 7): MutableSlotServer runs them on
 * every call, local or from the wire, and mutableClient before sending. Offsets and lengths stay
 * within one share (MAX_SLOT_SHARE_BYTES), vector counts and byte totals within one rpc message.
 * @module
 */
import { assertBytes } from '../bytes.js';
import { MAX_SHARES, MAX_SLOT_REQUEST_BYTES, MAX_SLOT_SHARE_BYTES, MAX_SLOT_TEST_BYTES, MAX_SLOT_VECTORS } from '../limits.js';
import { assertByteCount, assertLeaseSecret, assertShareNum, assertShareNums } from './_validate.js';
import type { ReadVector, ShareTestAndWrite, SlotSecrets } from './mutable-api.js';
import { SlotRequestTooLargeError } from './mutable-errors.js';

/** Write enablers are 32 bytes (a tagged hash). */
export const WRITE_ENABLER_BYTES = 32;

export function assertSecrets(secrets: unknown): asserts secrets is SlotSecrets {
  if (typeof secrets !== 'object' || secrets === null) throw new TypeError('"secrets" expected { writeEnabler, renewSecret, cancelSecret }');
  const s = secrets as SlotSecrets;
  assertBytes(s.writeEnabler, 'writeEnabler', WRITE_ENABLER_BYTES);
  assertLeaseSecret(s.renewSecret, 'renewSecret');
  assertLeaseSecret(s.cancelSecret, 'cancelSecret');
}

function assertSpan(offset: unknown, length: unknown, what: string): void {
  assertByteCount(offset, `${what}.offset`, MAX_SLOT_SHARE_BYTES);
  assertByteCount(length, `${what}.length`, MAX_SLOT_SHARE_BYTES - (offset as number));
}

function assertVectorList(list: unknown, what: string): asserts list is unknown[] {
  if (!Array.isArray(list)) throw new TypeError(`"${what}" expected an array`);
  if (list.length > MAX_SLOT_VECTORS) throw new RangeError(`"${what}" may hold at most ${MAX_SLOT_VECTORS} vectors, got ${list.length}`);
}

export function assertReadv(readv: unknown): asserts readv is ReadVector[] {
  assertVectorList(readv, 'readv');
  readv.forEach((r, i) => {
    if (typeof r !== 'object' || r === null) throw new TypeError(`"readv[${i}]" expected { offset, length }`);
    assertSpan((r as ReadVector).offset, (r as ReadVector).length, `readv[${i}]`);
  });
}

export { assertShareNum, assertShareNums };

/**
 * Checks every share's test, write and length, and that the request fits one rpc message: its
 * bytes as mutable-wire.ts encodes them (data, specimens and their fields) are counted.
 */
export function assertWrites(writes: unknown): asserts writes is Map<number, ShareTestAndWrite> {
  if (!(writes instanceof Map)) throw new TypeError('"writes" expected a Map of share number to { test, write, newLength }');
  if (writes.size > MAX_SHARES) throw new RangeError(`"writes" may name at most ${MAX_SHARES} shares, got ${writes.size}`);
  let total = 0;
  for (const [shareNum, w] of writes as Map<unknown, unknown>) {
    assertShareNum(shareNum, 'writes key');
    const what = `writes[${String(shareNum)}]`;
    total += 8; // share number, counts, new length
    if (typeof w !== 'object' || w === null) throw new TypeError(`"${what}" expected { test, write, newLength }`);
    const { test, write, newLength } = w as ShareTestAndWrite;
    assertVectorList(test, `${what}.test`);
    test.forEach((t, i) => {
      assertSpan(t?.offset, t?.length, `${what}.test[${i}]`);
      assertBytes(t.specimen, `${what}.test[${i}].specimen`);
      if (t.specimen.length > MAX_SLOT_TEST_BYTES) {
        throw new RangeError(`"${what}.test[${i}].specimen" may be at most ${MAX_SLOT_TEST_BYTES} bytes, got ${t.specimen.length}`);
      }
      total += 10 + t.specimen.length;
    });
    assertVectorList(write, `${what}.write`);
    write.forEach((v, i) => {
      assertBytes(v?.data, `${what}.write[${i}].data`);
      assertSpan(v.offset, v.data.length, `${what}.write[${i}]`);
      total += 8 + v.data.length;
    });
    if (newLength !== null) assertByteCount(newLength, `${what}.newLength`, MAX_SLOT_SHARE_BYTES);
  }
  if (total > MAX_SLOT_REQUEST_BYTES) {
    throw new SlotRequestTooLargeError(`one slot request may carry at most ${MAX_SLOT_REQUEST_BYTES} bytes of vectors, this one ${total}`);
  }
}
