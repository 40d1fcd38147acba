/**
 * The codec's inner loops for any k (used for k = 1 and k ≥ 5), over the scratch array of
 * _kernels-small.ts: input c's n words start at s[c·stride], output row j's go to s[q_j].
 * Same table layouts; inputs are taken two at a time to halve the loop overhead.
 * @module
 */

export function mul4w(t: Int32Array, s: Int32Array, n: number, stride: number, k: number,
  q0: number, q1: number, q2: number, q3: number): void {
  for (let w = 0; w < n; w++) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let c = 0, si = w, tb = 0;
    for (; c + 1 < k; c += 2, si += 2 * stride, tb += 512) {
      const x = s[si]!, y = s[si + stride]!;
      const tc = tb + 256;
      a0 ^= t[tb | (x & 255)]! ^ t[tc | (y & 255)]!;
      a1 ^= t[tb | ((x >>> 8) & 255)]! ^ t[tc | ((y >>> 8) & 255)]!;
      a2 ^= t[tb | ((x >>> 16) & 255)]! ^ t[tc | ((y >>> 16) & 255)]!;
      a3 ^= t[tb | (x >>> 24)]! ^ t[tc | (y >>> 24)]!;
    }
    if (c < k) {
      const x = s[si]!;
      a0 ^= t[tb | (x & 255)]!;
      a1 ^= t[tb | ((x >>> 8) & 255)]!;
      a2 ^= t[tb | ((x >>> 16) & 255)]!;
      a3 ^= t[tb | (x >>> 24)]!;
    }
    let u = ((a0 >>> 16) ^ a2) & 0xffff; a2 ^= u; a0 ^= u << 16;
    u = ((a1 >>> 16) ^ a3) & 0xffff; a3 ^= u; a1 ^= u << 16;
    u = ((a0 >>> 8) ^ a1) & 0xff00ff; a1 ^= u; a0 ^= u << 8;
    u = ((a2 >>> 8) ^ a3) & 0xff00ff; a3 ^= u; a2 ^= u << 8;
    s[q0 + w] = a0; s[q1 + w] = a1; s[q2 + w] = a2; s[q3 + w] = a3;
  }
}

export function mul2w(t: Int32Array, s: Int32Array, n: number, stride: number, k: number, q0: number, q1: number): void {
  for (let w = 0; w < n; w++) {
    let a = 0, b = 0;
    let c = 0, si = w, tb = 0;
    for (; c + 1 < k; c += 2, si += 2 * stride, tb += 1024) {
      const x = s[si]!, y = s[si + stride]!;
      const t1 = tb + 256, t2 = tb + 512, t3 = tb + 768;
      a ^= t[tb | (x & 255)]! ^ t[t1 | ((x >>> 8) & 255)]! ^ t[t2 | (y & 255)]! ^ t[t3 | ((y >>> 8) & 255)]!;
      b ^= t[tb | ((x >>> 16) & 255)]! ^ t[t1 | (x >>> 24)]! ^ t[t2 | ((y >>> 16) & 255)]! ^ t[t3 | (y >>> 24)]!;
    }
    if (c < k) {
      const x = s[si]!;
      a ^= t[tb | (x & 255)]! ^ t[(tb + 256) | ((x >>> 8) & 255)]!;
      b ^= t[tb | ((x >>> 16) & 255)]! ^ t[(tb + 256) | (x >>> 24)]!;
    }
    s[q0 + w] = (a & 0xffff) | (b << 16);
    s[q1 + w] = (a >>> 16) | (b & ~0xffff);
  }
}

export function mul1w(t: Int32Array, s: Int32Array, n: number, stride: number, k: number, q0: number): void {
  for (let w = 0; w < n; w++) {
    let a = 0;
    for (let c = 0, si = w, tb = 0; c < k; c++, si += stride, tb += 1024) {
      const x = s[si]!;
      a ^= t[tb | (x & 255)]! ^ t[(tb + 256) | ((x >>> 8) & 255)]! ^ t[(tb + 512) | ((x >>> 16) & 255)]! ^ t[(tb + 768) | (x >>> 24)]!;
    }
    s[q0 + w] = a;
  }
}
