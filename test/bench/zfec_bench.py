#!/usr/bin/python3
"""Times real zfec (Debian python3-zfec, C core, one thread): the anchor of test/bench/codec.bench.ts.

Usage:
  /usr/bin/python3 test/bench/zfec_bench.py [--bytes N] [--runs R] K,M [K,M ...]
  /usr/bin/python3 test/bench/zfec_bench.py --serve [--bytes N] K,M

For each (k, m): N bytes of random data (rounded down to a multiple of k) cut into k primary
blocks. encode = zfec.Encoder(k, m).encode(all m blocks); decode = zfec.Decoder(k, m).decode of
share 0 plus parity shares k..2k-2, so k-1 primaries are rebuilt.

Batch mode prints one JSON object with MB/s (10^6 bytes) of original data, best of R runs:
{"bytes": N, "runs": R, "results": [{"k", "m", "encode_mbps", "decode_mbps"}, ...]}.

Serve mode (used by the bench, so that zfec and bric take turns on a shared, noisy machine):
prints "ready" once the data is prepared, then for every line "encode" or "decode" read from
stdin runs that operation once and prints "WALL CPU": its wall time and the CPU time (user +
system) of this process, in seconds; ends at end of input.
"""
import argparse
import json
import os
import sys
import time

import zfec


class Case:
    def __init__(self, k, m, nbytes):
        size = nbytes // k
        self.total = size * k
        data = os.urandom(self.total)
        self.primaries = tuple(data[i * size:(i + 1) * size] for i in range(k))
        self.encoder = zfec.Encoder(k, m)
        blocks = self.encoder.encode(self.primaries)
        self.nums = (0,) + tuple(range(k, 2 * k - 1))
        self.chosen = tuple(blocks[n] for n in self.nums)
        self.decoder = zfec.Decoder(k, m)
        if b"".join(self.decoder.decode(self.chosen, self.nums)) != data:
            raise SystemExit("zfec_bench: zfec decode did not give back the data (k=%d, m=%d)" % (k, m))

    def seconds(self, op):
        """(wall, cpu) seconds of one run; cpu counts user + system time of this process."""
        c0 = time.process_time()
        t0 = time.perf_counter()
        if op == "encode":
            self.encoder.encode(self.primaries)
        else:
            self.decoder.decode(self.chosen, self.nums)
        return time.perf_counter() - t0, time.process_time() - c0


def parse_km(text):
    k, m = (int(x) for x in text.split(","))
    return k, m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bytes", type=int, default=16 * 1024 * 1024)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("params", nargs="+", help="k,m pairs such as 3,10")
    a = ap.parse_args()
    if a.serve:
        case = Case(*parse_km(a.params[0]), a.bytes)
        print("ready", flush=True)
        for line in sys.stdin:
            op = line.strip()
            if op not in ("encode", "decode"):
                raise SystemExit("zfec_bench: unknown request %r" % op)
            print("%r %r" % case.seconds(op), flush=True)
        return
    results = []
    for p in a.params:
        k, m = parse_km(p)
        case = Case(k, m, a.bytes)
        enc = min(case.seconds("encode")[0] for _ in range(a.runs))
        dec = min(case.seconds("decode")[0] for _ in range(a.runs))
        results.append({"k": k, "m": m, "encode_mbps": case.total / enc / 1e6, "decode_mbps": case.total / dec / 1e6})
    print(json.dumps({"bytes": a.bytes, "runs": a.runs, "results": results}))


if __name__ == "__main__":
    main()
