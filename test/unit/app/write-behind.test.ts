/** Write-behind: writes return once queued, within a byte window; failures surface at the next write or the close. */
import { describe, expect, it } from 'vitest';
import { writeBehind } from '../../../src/app/write-behind.js';
import type { StorageApi } from '../../../src/core/storage/api.js';

const SI = new Uint8Array(16).fill(5);
const opts = { signal: new AbortController().signal };

function fakeServer() {
  const answers: Array<{ resolve: () => void; reject: (e: unknown) => void; bytes: number; share: number }> = [];
  const closed: number[] = [];
  const api = {
    writeShare: (_si: Uint8Array, share: number, _off: number, data: Uint8Array) =>
      new Promise<void>((resolve, reject) => answers.push({ resolve, reject, bytes: data.length, share })),
    closeShare: async (_si: Uint8Array, share: number) => void closed.push(share),
  } as unknown as StorageApi;
  return { api, answers, closed };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('writeBehind', () => {
  it('returns before the answer, and waits once the window is full', async () => {
    const server = fakeServer();
    const wb = writeBehind(server.api, { windowBytes: 250, timeoutMs: 10_000 });
    await wb.writeShare(SI, 0, 0, new Uint8Array(100), opts);
    await wb.writeShare(SI, 1, 0, new Uint8Array(100), opts);
    let third = false;
    const pending = wb.writeShare(SI, 2, 0, new Uint8Array(100), opts).then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    expect(server.answers).toHaveLength(2);
    server.answers[0]!.resolve();
    await pending;
    expect(server.answers).toHaveLength(3);
  });

  it('closes a share only after its writes were answered', async () => {
    const server = fakeServer();
    const wb = writeBehind(server.api, { windowBytes: 1000, timeoutMs: 10_000 });
    await wb.writeShare(SI, 3, 0, new Uint8Array(10), opts);
    const closing = wb.closeShare(SI, 3, opts);
    await tick();
    expect(server.closed).toEqual([]);
    server.answers[0]!.resolve();
    await closing;
    expect(server.closed).toEqual([3]);
  });

  it('a failed write fails the next write and the close, as if the server were lost', async () => {
    const server = fakeServer();
    const wb = writeBehind(server.api, { windowBytes: 1000, timeoutMs: 10_000 });
    await wb.writeShare(SI, 4, 0, new Uint8Array(10), opts);
    server.answers[0]!.reject(new Error('peer gone'));
    await tick();
    await expect(wb.writeShare(SI, 4, 10, new Uint8Array(10), opts)).rejects.toThrow('peer gone');
    await expect(wb.closeShare(SI, 4, opts)).rejects.toThrow('peer gone');
    expect(server.closed).toEqual([]);
  });

  it('a caller that gives up while waiting for room is released', async () => {
    const server = fakeServer();
    const wb = writeBehind(server.api, { windowBytes: 10, timeoutMs: 10_000 });
    await wb.writeShare(SI, 5, 0, new Uint8Array(10), opts);
    const ac = new AbortController();
    const waiting = wb.writeShare(SI, 5, 10, new Uint8Array(10), { signal: ac.signal });
    ac.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(server.answers).toHaveLength(1);
  });
});
