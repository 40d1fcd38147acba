/** Node announcements: version 2 carries capacity, use and nickname; version 1 still reads. */
import { describe, expect, it } from 'vitest';
import { cleanNickname, decodeAbout, encodeAbout, MAX_NICKNAME_BYTES } from '../../../src/app/announce.js';

describe('node announcements', () => {
  it('round-trips version 2 and reads version 1', () => {
    const about = { availableBytes: 5e9, capacityBytes: 6e9, usedBytes: 1e9, nickname: 'Ana’s laptop' };
    expect(decodeAbout(encodeAbout(about))).toEqual(about);
    const v1 = new Uint8Array(9);
    v1[0] = 1;
    v1[8] = 200;
    expect(decodeAbout(v1)).toEqual({ availableBytes: 200 });
  });

  it('refuses wrong versions and lengths, and keeps nicknames short and clean', () => {
    expect(() => decodeAbout(new Uint8Array(9))).toThrow(RangeError);
    const v2 = encodeAbout({ availableBytes: 1, capacityBytes: 1, usedBytes: 0, nickname: 'ab' });
    expect(() => decodeAbout(v2.subarray(0, v2.length - 1))).toThrow(/nickname has the wrong length/);
    expect(cleanNickname('a\nb\u0000')).toBe('a b');
    const long = cleanNickname('é'.repeat(100));
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(MAX_NICKNAME_BYTES);
    expect(long).toBe('é'.repeat(32));
  });
});

describe('SpaceAnnouncer over links', () => {
  type Handler = (payload: Uint8Array, opts: { signal: AbortSignal }) => Promise<Uint8Array>;
  /** One side of a link: its requests run the other side's handler; a throwing handler is a RemoteError. */
  function fakeLink() {
    const handlers: [Map<string, Handler>, Map<string, Handler>] = [new Map(), new Map()];
    const side = (me: 0 | 1) => ({
      closed: false,
      handle: (method: string, h: Handler) => void handlers[me].set(method, h),
      request: async (method: string, payload: Uint8Array) => {
        const h = handlers[me === 0 ? 1 : 0].get(method);
        if (h === undefined) throw Object.assign(new Error('no such method'), { name: 'RemoteError' });
        try {
          return await h(payload, { signal: new AbortController().signal });
        } catch (error) {
          throw Object.assign(new Error((error as Error).message), { name: 'RemoteError' });
        }
      },
      close: () => undefined,
      onClose: () => undefined,
    });
    return [side(0), side(1)] as const;
  }
  const settle = () => new Promise((r) => setTimeout(r, 5));

  it('two new nodes hear each other’s capacity, use and nickname; an older node that refuses version 2 gets version 1', async () => {
    const { SpaceAnnouncer } = await import('../../../src/app/announce.js');
    const a = new SpaceAnnouncer({ availableBytes: 700, capacityBytes: 1000, usedBytes: 300, nickname: 'A' });
    const b = new SpaceAnnouncer({ availableBytes: 50, capacityBytes: 100, usedBytes: 50, nickname: 'B' });
    const [ab, ba] = fakeLink();
    a.addLink('b', ab as never);
    b.addLink('a', ba as never);
    await settle();
    expect(a.heardAbout('b')).toEqual({ availableBytes: 50, capacityBytes: 100, usedBytes: 50, nickname: 'B' });
    expect(b.heard('a')).toBe(700);

    // An older bric: only version 1 (9 bytes) is accepted, anything else is a RangeError.
    const [ao, old] = fakeLink();
    const heardByOld: number[] = [];
    old.handle('node.announce', async (p: Uint8Array) => {
      if (p.length !== 9 || p[0] !== 1) throw new RangeError('a space announcement must be version 1');
      heardByOld.push(p[8]!);
      return new Uint8Array(0);
    });
    a.addLink('old', ao as never);
    await settle();
    expect(heardByOld).toEqual([700 % 256]);
    a.update(600);
    await settle();
    expect(heardByOld).toEqual([700 % 256, 600 % 256]);
    expect(b.heard('a')).toBe(600);
  });
});
