/**
 * What a node announces to linked peers (issue 3 "available space is announced to peers", issue 4
 * grid view): its free space, so placement skips full nodes without asking them
 * (ServerDescriptor.availableBytes), and, for the grid view, its capacity, use and nickname.
 * A node tells each new link, and every link again whenever one of these changes. A stale figure
 * costs little: a node asked anyway refuses before any byte flows.
 * Wire: rpc method `node.announce`, answer empty. Payload version 1: 1 byte (1) + u64 BE available.
 * Version 2: 1 byte (2) + u64 available + u64 capacity + u64 used + u8 nickname length + UTF-8
 * nickname (≤ MAX_NICKNAME_BYTES). A peer that refuses version 2 (an older bric) gets version 1.
 * @module
 */
import { bytesToUtf8, readUint64BE, utf8ToBytes, writeUint64BE } from '../core/bytes.js';
import type { Rpc } from '../core/wire/rpc-port.js';

const METHOD = 'node.announce';
const V1_BYTES = 9;
const V2_HEAD_BYTES = 26;
const EMPTY = new Uint8Array(0);
/** An announcement that waits longer than this is dropped: the next change sends a fresh one. */
const ANNOUNCE_TIMEOUT_MS = 10_000;
/** A nickname is a label, not a payload: 64 bytes of UTF-8 at most. */
export const MAX_NICKNAME_BYTES = 64;

/** What this node says about itself. */
export interface NodeAbout {
  readonly availableBytes: number;
  readonly capacityBytes: number;
  readonly usedBytes: number;
  readonly nickname: string;
}

/** What a peer said about itself (only free space, from an older bric). */
export interface HeardAbout {
  readonly availableBytes: number;
  readonly capacityBytes?: number;
  readonly usedBytes?: number;
  readonly nickname?: string;
}

/** Cuts a nickname to MAX_NICKNAME_BYTES of UTF-8 without splitting a character; no control characters. */
export function cleanNickname(name: string): string {
  // eslint-disable-next-line no-control-regex
  let clean = name.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  while (utf8ToBytes(clean).length > MAX_NICKNAME_BYTES) clean = [...clean].slice(0, -1).join('');
  return clean;
}

/** Encodes a version 2 announcement. */
export function encodeAbout(about: NodeAbout): Uint8Array {
  const nick = utf8ToBytes(cleanNickname(about.nickname));
  const payload = new Uint8Array(V2_HEAD_BYTES + nick.length);
  payload[0] = 2;
  writeUint64BE(payload, 1, about.availableBytes);
  writeUint64BE(payload, 9, about.capacityBytes);
  writeUint64BE(payload, 17, about.usedBytes);
  payload[25] = nick.length;
  payload.set(nick, V2_HEAD_BYTES);
  return payload;
}

/** Decodes a version 1 or 2 announcement; RangeError naming what is wrong. */
export function decodeAbout(payload: Uint8Array): HeardAbout {
  const count = (offset: number, what: string): number => {
    const value = readUint64BE(payload, offset);
    if (!Number.isSafeInteger(value)) throw new RangeError(`the announced ${what} is not a byte count`);
    return value;
  };
  if (payload[0] === 1 && payload.length === V1_BYTES) return { availableBytes: count(1, 'free space') };
  if (payload[0] !== 2 || payload.length < V2_HEAD_BYTES) throw new RangeError('a node announcement must be version 1 (9 bytes) or version 2');
  const nickLength = payload[25] ?? 0;
  if (nickLength > MAX_NICKNAME_BYTES || payload.length !== V2_HEAD_BYTES + nickLength) throw new RangeError('the announced nickname has the wrong length');
  let nickname: string;
  try {
    nickname = cleanNickname(bytesToUtf8(payload.subarray(V2_HEAD_BYTES)));
  } catch {
    throw new RangeError('the announced nickname is not UTF-8');
  }
  return { availableBytes: count(1, 'free space'), capacityBytes: count(9, 'capacity'), usedBytes: count(17, 'use'), nickname };
}

export class SpaceAnnouncer {
  readonly #heard = new Map<string, HeardAbout>();
  readonly #links = new Map<string, Rpc>();
  /** Links that refused version 2: they get version 1. */
  readonly #v1Only = new WeakSet<Rpc>();
  readonly #listeners = new Set<() => void>();
  #about: NodeAbout;

  constructor(about: NodeAbout | number) {
    this.#about = typeof about === 'number' ? { availableBytes: about, capacityBytes: about, usedBytes: 0, nickname: '' } : about;
  }

  /** The free space a peer last announced, if it did and its link is open. */
  heard(peer: string): number | undefined {
    return this.heardAbout(peer)?.availableBytes;
  }

  /** Everything a peer last announced, if it did and its link is open. */
  heardAbout(peer: string): HeardAbout | undefined {
    return this.#links.has(peer) ? this.#heard.get(peer) : undefined;
  }

  /** Called after a peer's announcement arrived or its link closed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Answers a new link's announcements and sends it ours. */
  addLink(peer: string, rpc: Rpc): void {
    this.#links.set(peer, rpc);
    rpc.handle(METHOD, async (payload) => {
      this.#heard.set(peer, decodeAbout(payload));
      this.#changed();
      return EMPTY;
    });
    rpc.onClose(() => {
      if (this.#links.get(peer) !== rpc) return;
      this.#links.delete(peer);
      this.#heard.delete(peer);
      this.#changed();
    });
    this.#send(rpc);
  }

  /** Our free space changed: tell every link. */
  update(available: number): void {
    this.updateAbout({ ...this.#about, availableBytes: available });
  }

  /** Something we say about ourselves changed: tell every link. */
  updateAbout(about: NodeAbout): void {
    const was = this.#about;
    if (was.availableBytes === about.availableBytes && was.capacityBytes === about.capacityBytes && was.usedBytes === about.usedBytes && was.nickname === about.nickname) return;
    const freeChanged = was.availableBytes !== about.availableBytes;
    this.#about = about;
    for (const rpc of this.#links.values()) if (freeChanged || !this.#v1Only.has(rpc)) this.#send(rpc);
  }

  #send(rpc: Rpc): void {
    const signal = AbortSignal.timeout(ANNOUNCE_TIMEOUT_MS);
    if (this.#v1Only.has(rpc)) return void rpc.request(METHOD, this.#v1(), { signal }).catch(() => undefined);
    rpc.request(METHOD, encodeAbout(this.#about), { signal }).catch((error: unknown) => {
      // An older bric refuses version 2 with its RangeError: speak version 1 to it from now on.
      if (!(error instanceof Error) || error.name !== 'RemoteError' || rpc.closed) return;
      this.#v1Only.add(rpc);
      rpc.request(METHOD, this.#v1(), { signal: AbortSignal.timeout(ANNOUNCE_TIMEOUT_MS) }).catch(() => undefined);
    });
  }

  #v1(): Uint8Array {
    const payload = new Uint8Array(V1_BYTES);
    payload[0] = 1;
    writeUint64BE(payload, 1, this.#about.availableBytes);
    return payload;
  }

  #changed(): void {
    for (const l of [...this.#listeners]) l();
  }
}
