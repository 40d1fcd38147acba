/**
 * The codec's inner loops for k = 2, 3, 4 (Tahoe's default is 3-of-10): one straight-line
 * function per k and per table layout, all the same pattern (V8 does not unswitch loops; these
 * measured 15–30% faster than one loop over the inputs). Everything but the table lives in one
 * scratch array s: input c's n words start at s[i_c], output row j's go to s[q_j] (one array
 * rather than one per block saves V8 a map check and three loads per array and word).
 * Layout 4: t[c·256 + b] holds row j's product with b in byte j; lane l of every row accumulates
 * in a_l, then a 4×4 byte transpose turns lanes into rows (a group of 3 rows aims q3 at a dummy).
 * Layout 2: t[c·512 + b] = p0 | p1 << 16, t[c·512 + 256 + b] = p0 << 8 | p1 << 24, so two
 * accumulators hold both rows without a transpose. Layout 1: t[c·1024 + l·256 + b] = p << 8l.
 * @module
 */

export function mul4k2(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number,
  q0: number, q1: number, q2: number, q3: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a0 = t[x & 255]!, a1 = t[(x >>> 8) & 255]!, a2 = t[(x >>> 16) & 255]!, a3 = t[x >>> 24]!;
    x = s[i1 + w]!;
    a0 ^= t[256 | (x & 255)]!; a1 ^= t[256 | ((x >>> 8) & 255)]!; a2 ^= t[256 | ((x >>> 16) & 255)]!; a3 ^= t[256 | (x >>> 24)]!;
    let u = ((a0 >>> 16) ^ a2) & 0xffff; a2 ^= u; a0 ^= u << 16;
    u = ((a1 >>> 16) ^ a3) & 0xffff; a3 ^= u; a1 ^= u << 16;
    u = ((a0 >>> 8) ^ a1) & 0xff00ff; a1 ^= u; a0 ^= u << 8;
    u = ((a2 >>> 8) ^ a3) & 0xff00ff; a3 ^= u; a2 ^= u << 8;
    s[q0 + w] = a0; s[q1 + w] = a1; s[q2 + w] = a2; s[q3 + w] = a3;
  }
}

export function mul2k2(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number, q0: number, q1: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]!;
    let b = t[(x >>> 16) & 255]! ^ t[256 | (x >>> 24)]!;
    x = s[i1 + w]!;
    a ^= t[512 | (x & 255)]! ^ t[768 | ((x >>> 8) & 255)]!;
    b ^= t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    s[q0 + w] = (a & 0xffff) | (b << 16);
    s[q1 + w] = (a >>> 16) | (b & ~0xffff);
  }
}

export function mul1k2(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number, q0: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]! ^ t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = s[i1 + w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]! ^ t[1536 | ((x >>> 16) & 255)]! ^ t[1792 | (x >>> 24)]!;
    s[q0 + w] = a;
  }
}

export function mul4k3(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number, i2: number,
  q0: number, q1: number, q2: number, q3: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a0 = t[x & 255]!, a1 = t[(x >>> 8) & 255]!, a2 = t[(x >>> 16) & 255]!, a3 = t[x >>> 24]!;
    x = s[i1 + w]!;
    a0 ^= t[256 | (x & 255)]!; a1 ^= t[256 | ((x >>> 8) & 255)]!; a2 ^= t[256 | ((x >>> 16) & 255)]!; a3 ^= t[256 | (x >>> 24)]!;
    x = s[i2 + w]!;
    a0 ^= t[512 | (x & 255)]!; a1 ^= t[512 | ((x >>> 8) & 255)]!; a2 ^= t[512 | ((x >>> 16) & 255)]!; a3 ^= t[512 | (x >>> 24)]!;
    let u = ((a0 >>> 16) ^ a2) & 0xffff; a2 ^= u; a0 ^= u << 16;
    u = ((a1 >>> 16) ^ a3) & 0xffff; a3 ^= u; a1 ^= u << 16;
    u = ((a0 >>> 8) ^ a1) & 0xff00ff; a1 ^= u; a0 ^= u << 8;
    u = ((a2 >>> 8) ^ a3) & 0xff00ff; a3 ^= u; a2 ^= u << 8;
    s[q0 + w] = a0; s[q1 + w] = a1; s[q2 + w] = a2; s[q3 + w] = a3;
  }
}

export function mul2k3(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number, i2: number, q0: number, q1: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]!;
    let b = t[(x >>> 16) & 255]! ^ t[256 | (x >>> 24)]!;
    x = s[i1 + w]!;
    a ^= t[512 | (x & 255)]! ^ t[768 | ((x >>> 8) & 255)]!;
    b ^= t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = s[i2 + w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]!;
    b ^= t[1024 | ((x >>> 16) & 255)]! ^ t[1280 | (x >>> 24)]!;
    s[q0 + w] = (a & 0xffff) | (b << 16);
    s[q1 + w] = (a >>> 16) | (b & ~0xffff);
  }
}

export function mul1k3(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number, i2: number, q0: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]! ^ t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = s[i1 + w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]! ^ t[1536 | ((x >>> 16) & 255)]! ^ t[1792 | (x >>> 24)]!;
    x = s[i2 + w]!;
    a ^= t[2048 | (x & 255)]! ^ t[2304 | ((x >>> 8) & 255)]! ^ t[2560 | ((x >>> 16) & 255)]! ^ t[2816 | (x >>> 24)]!;
    s[q0 + w] = a;
  }
}

export function mul4k4(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number, i2: number, i3: number,
  q0: number, q1: number, q2: number, q3: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a0 = t[x & 255]!, a1 = t[(x >>> 8) & 255]!, a2 = t[(x >>> 16) & 255]!, a3 = t[x >>> 24]!;
    x = s[i1 + w]!;
    a0 ^= t[256 | (x & 255)]!; a1 ^= t[256 | ((x >>> 8) & 255)]!; a2 ^= t[256 | ((x >>> 16) & 255)]!; a3 ^= t[256 | (x >>> 24)]!;
    x = s[i2 + w]!;
    a0 ^= t[512 | (x & 255)]!; a1 ^= t[512 | ((x >>> 8) & 255)]!; a2 ^= t[512 | ((x >>> 16) & 255)]!; a3 ^= t[512 | (x >>> 24)]!;
    x = s[i3 + w]!;
    a0 ^= t[768 | (x & 255)]!; a1 ^= t[768 | ((x >>> 8) & 255)]!; a2 ^= t[768 | ((x >>> 16) & 255)]!; a3 ^= t[768 | (x >>> 24)]!;
    let u = ((a0 >>> 16) ^ a2) & 0xffff; a2 ^= u; a0 ^= u << 16;
    u = ((a1 >>> 16) ^ a3) & 0xffff; a3 ^= u; a1 ^= u << 16;
    u = ((a0 >>> 8) ^ a1) & 0xff00ff; a1 ^= u; a0 ^= u << 8;
    u = ((a2 >>> 8) ^ a3) & 0xff00ff; a3 ^= u; a2 ^= u << 8;
    s[q0 + w] = a0; s[q1 + w] = a1; s[q2 + w] = a2; s[q3 + w] = a3;
  }
}

export function mul2k4(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number, i2: number, i3: number, q0: number, q1: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]!;
    let b = t[(x >>> 16) & 255]! ^ t[256 | (x >>> 24)]!;
    x = s[i1 + w]!;
    a ^= t[512 | (x & 255)]! ^ t[768 | ((x >>> 8) & 255)]!;
    b ^= t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = s[i2 + w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]!;
    b ^= t[1024 | ((x >>> 16) & 255)]! ^ t[1280 | (x >>> 24)]!;
    x = s[i3 + w]!;
    a ^= t[1536 | (x & 255)]! ^ t[1792 | ((x >>> 8) & 255)]!;
    b ^= t[1536 | ((x >>> 16) & 255)]! ^ t[1792 | (x >>> 24)]!;
    s[q0 + w] = (a & 0xffff) | (b << 16);
    s[q1 + w] = (a >>> 16) | (b & ~0xffff);
  }
}

export function mul1k4(t: Int32Array, s: Int32Array, n: number, i0: number, i1: number, i2: number, i3: number, q0: number): void {
  for (let w = 0; w < n; w++) {
    let x = s[i0 + w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]! ^ t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = s[i1 + w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]! ^ t[1536 | ((x >>> 16) & 255)]! ^ t[1792 | (x >>> 24)]!;
    x = s[i2 + w]!;
    a ^= t[2048 | (x & 255)]! ^ t[2304 | ((x >>> 8) & 255)]! ^ t[2560 | ((x >>> 16) & 255)]! ^ t[2816 | (x >>> 24)]!;
    x = s[i3 + w]!;
    a ^= t[3072 | (x & 255)]! ^ t[3328 | ((x >>> 8) & 255)]! ^ t[3584 | ((x >>> 16) & 255)]! ^ t[3840 | (x >>> 24)]!;
    s[q0 + w] = a;
  }
}
