/**
 * The codec's inner loops for k = 2, 3, 4 (Tahoe's default is 3-of-10): one straight-line
 * function per k and per group layout of _kernel.ts. V8 does not unswitch loops, and these
 * measured 15–30% faster than one loop over the inputs. All are the same pattern; x_c are the
 * inputs as 32-bit words read from index ib, outputs are written from index ob, n words.
 * Layout 4: t[c·256 + b] holds row j's product with b in byte j; lane l of every row is
 * accumulated in a_l, then a 4×4 byte transpose turns lanes into rows (row 3 goes to o3[v & m3],
 * so a group of 3 rows can aim it at a small dummy). Layout 2: t[c·512 + b] = p0 | p1 << 16 and
 * t[c·512 + 256 + b] = p0 << 8 | p1 << 24. Layout 1: t[c·1024 + l·256 + b] = p << 8l.
 * @module
 */

export function mul4k2(t: Int32Array, x0: Int32Array, x1: Int32Array, ib: number, n: number,
  o0: Int32Array, o1: Int32Array, o2: Int32Array, o3: Int32Array, ob: number, m3: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a0 = t[x & 255]!, a1 = t[(x >>> 8) & 255]!, a2 = t[(x >>> 16) & 255]!, a3 = t[x >>> 24]!;
    x = x1[w]!;
    a0 ^= t[256 | (x & 255)]!; a1 ^= t[256 | ((x >>> 8) & 255)]!; a2 ^= t[256 | ((x >>> 16) & 255)]!; a3 ^= t[256 | (x >>> 24)]!;
    let u = ((a0 >>> 16) ^ a2) & 0xffff; a2 ^= u; a0 ^= u << 16;
    u = ((a1 >>> 16) ^ a3) & 0xffff; a3 ^= u; a1 ^= u << 16;
    u = ((a0 >>> 8) ^ a1) & 0xff00ff; a1 ^= u; a0 ^= u << 8;
    u = ((a2 >>> 8) ^ a3) & 0xff00ff; a3 ^= u; a2 ^= u << 8;
    o0[v] = a0; o1[v] = a1; o2[v] = a2; o3[v & m3] = a3;
  }
}

export function mul2k2(t: Int32Array, x0: Int32Array, x1: Int32Array, ib: number, n: number, o0: Int32Array, o1: Int32Array, ob: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]!;
    let b = t[(x >>> 16) & 255]! ^ t[256 | (x >>> 24)]!;
    x = x1[w]!;
    a ^= t[512 | (x & 255)]! ^ t[768 | ((x >>> 8) & 255)]!;
    b ^= t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    o0[v] = (a & 0xffff) | (b << 16);
    o1[v] = (a >>> 16) | (b & ~0xffff);
  }
}

export function mul1k2(t: Int32Array, x0: Int32Array, x1: Int32Array, ib: number, n: number, o0: Int32Array, ob: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]! ^ t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = x1[w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]! ^ t[1536 | ((x >>> 16) & 255)]! ^ t[1792 | (x >>> 24)]!;
    o0[v] = a;
  }
}

export function mul4k3(t: Int32Array, x0: Int32Array, x1: Int32Array, x2: Int32Array, ib: number, n: number,
  o0: Int32Array, o1: Int32Array, o2: Int32Array, o3: Int32Array, ob: number, m3: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a0 = t[x & 255]!, a1 = t[(x >>> 8) & 255]!, a2 = t[(x >>> 16) & 255]!, a3 = t[x >>> 24]!;
    x = x1[w]!;
    a0 ^= t[256 | (x & 255)]!; a1 ^= t[256 | ((x >>> 8) & 255)]!; a2 ^= t[256 | ((x >>> 16) & 255)]!; a3 ^= t[256 | (x >>> 24)]!;
    x = x2[w]!;
    a0 ^= t[512 | (x & 255)]!; a1 ^= t[512 | ((x >>> 8) & 255)]!; a2 ^= t[512 | ((x >>> 16) & 255)]!; a3 ^= t[512 | (x >>> 24)]!;
    let u = ((a0 >>> 16) ^ a2) & 0xffff; a2 ^= u; a0 ^= u << 16;
    u = ((a1 >>> 16) ^ a3) & 0xffff; a3 ^= u; a1 ^= u << 16;
    u = ((a0 >>> 8) ^ a1) & 0xff00ff; a1 ^= u; a0 ^= u << 8;
    u = ((a2 >>> 8) ^ a3) & 0xff00ff; a3 ^= u; a2 ^= u << 8;
    o0[v] = a0; o1[v] = a1; o2[v] = a2; o3[v & m3] = a3;
  }
}

export function mul2k3(t: Int32Array, x0: Int32Array, x1: Int32Array, x2: Int32Array, ib: number, n: number, o0: Int32Array, o1: Int32Array, ob: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]!;
    let b = t[(x >>> 16) & 255]! ^ t[256 | (x >>> 24)]!;
    x = x1[w]!;
    a ^= t[512 | (x & 255)]! ^ t[768 | ((x >>> 8) & 255)]!;
    b ^= t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = x2[w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]!;
    b ^= t[1024 | ((x >>> 16) & 255)]! ^ t[1280 | (x >>> 24)]!;
    o0[v] = (a & 0xffff) | (b << 16);
    o1[v] = (a >>> 16) | (b & ~0xffff);
  }
}

export function mul1k3(t: Int32Array, x0: Int32Array, x1: Int32Array, x2: Int32Array, ib: number, n: number, o0: Int32Array, ob: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]! ^ t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = x1[w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]! ^ t[1536 | ((x >>> 16) & 255)]! ^ t[1792 | (x >>> 24)]!;
    x = x2[w]!;
    a ^= t[2048 | (x & 255)]! ^ t[2304 | ((x >>> 8) & 255)]! ^ t[2560 | ((x >>> 16) & 255)]! ^ t[2816 | (x >>> 24)]!;
    o0[v] = a;
  }
}

export function mul4k4(t: Int32Array, x0: Int32Array, x1: Int32Array, x2: Int32Array, x3: Int32Array, ib: number, n: number,
  o0: Int32Array, o1: Int32Array, o2: Int32Array, o3: Int32Array, ob: number, m3: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a0 = t[x & 255]!, a1 = t[(x >>> 8) & 255]!, a2 = t[(x >>> 16) & 255]!, a3 = t[x >>> 24]!;
    x = x1[w]!;
    a0 ^= t[256 | (x & 255)]!; a1 ^= t[256 | ((x >>> 8) & 255)]!; a2 ^= t[256 | ((x >>> 16) & 255)]!; a3 ^= t[256 | (x >>> 24)]!;
    x = x2[w]!;
    a0 ^= t[512 | (x & 255)]!; a1 ^= t[512 | ((x >>> 8) & 255)]!; a2 ^= t[512 | ((x >>> 16) & 255)]!; a3 ^= t[512 | (x >>> 24)]!;
    x = x3[w]!;
    a0 ^= t[768 | (x & 255)]!; a1 ^= t[768 | ((x >>> 8) & 255)]!; a2 ^= t[768 | ((x >>> 16) & 255)]!; a3 ^= t[768 | (x >>> 24)]!;
    let u = ((a0 >>> 16) ^ a2) & 0xffff; a2 ^= u; a0 ^= u << 16;
    u = ((a1 >>> 16) ^ a3) & 0xffff; a3 ^= u; a1 ^= u << 16;
    u = ((a0 >>> 8) ^ a1) & 0xff00ff; a1 ^= u; a0 ^= u << 8;
    u = ((a2 >>> 8) ^ a3) & 0xff00ff; a3 ^= u; a2 ^= u << 8;
    o0[v] = a0; o1[v] = a1; o2[v] = a2; o3[v & m3] = a3;
  }
}

export function mul2k4(t: Int32Array, x0: Int32Array, x1: Int32Array, x2: Int32Array, x3: Int32Array, ib: number, n: number, o0: Int32Array, o1: Int32Array, ob: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]!;
    let b = t[(x >>> 16) & 255]! ^ t[256 | (x >>> 24)]!;
    x = x1[w]!;
    a ^= t[512 | (x & 255)]! ^ t[768 | ((x >>> 8) & 255)]!;
    b ^= t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = x2[w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]!;
    b ^= t[1024 | ((x >>> 16) & 255)]! ^ t[1280 | (x >>> 24)]!;
    x = x3[w]!;
    a ^= t[1536 | (x & 255)]! ^ t[1792 | ((x >>> 8) & 255)]!;
    b ^= t[1536 | ((x >>> 16) & 255)]! ^ t[1792 | (x >>> 24)]!;
    o0[v] = (a & 0xffff) | (b << 16);
    o1[v] = (a >>> 16) | (b & ~0xffff);
  }
}

export function mul1k4(t: Int32Array, x0: Int32Array, x1: Int32Array, x2: Int32Array, x3: Int32Array, ib: number, n: number, o0: Int32Array, ob: number): void {
  for (let w = ib, v = ob, end = ib + n; w < end; w++, v++) {
    let x = x0[w]!;
    let a = t[x & 255]! ^ t[256 | ((x >>> 8) & 255)]! ^ t[512 | ((x >>> 16) & 255)]! ^ t[768 | (x >>> 24)]!;
    x = x1[w]!;
    a ^= t[1024 | (x & 255)]! ^ t[1280 | ((x >>> 8) & 255)]! ^ t[1536 | ((x >>> 16) & 255)]! ^ t[1792 | (x >>> 24)]!;
    x = x2[w]!;
    a ^= t[2048 | (x & 255)]! ^ t[2304 | ((x >>> 8) & 255)]! ^ t[2560 | ((x >>> 16) & 255)]! ^ t[2816 | (x >>> 24)]!;
    x = x3[w]!;
    a ^= t[3072 | (x & 255)]! ^ t[3328 | ((x >>> 8) & 255)]! ^ t[3584 | ((x >>> 16) & 255)]! ^ t[3840 | (x >>> 24)]!;
    o0[v] = a;
  }
}
