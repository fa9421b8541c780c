#!/usr/bin/env python3
"""Regenerates persuasion-excerpt.txt from Debian's r-cran-janeaustenr package (no R needed).

    apt-get download r-cran-janeaustenr && dpkg-deb -x r-cran-janeaustenr_*.deb pkg
    python3 extract_persuasion.py pkg/usr/lib/R/site-library/janeaustenr/data > persuasion-excerpt.txt

The package keeps each novel as an R character vector (one element per line) in a lazy-load
database: Rdata.rdx (gzip, R XDR serialization) maps names to (offset, length) in Rdata.rdb, whose
entries are a 4-byte length and a zlib stream of one serialized STRSXP.
"""
import gzip, re, struct, sys, zlib

data = sys.argv[1]
idx = gzip.decompress(open(f"{data}/Rdata.rdx", "rb").read())
names = re.findall(rb"\x00\x04\x00\x09\x00\x00\x00.([a-z]+)", idx, re.S)
# the (offset, length) INTSXP pairs come first, in the same order as the names that follow them
pairs = re.findall(rb"\x00\x00\x00\x0d\x00\x00\x00\x02(.{8})", idx, re.S)
where = {n.decode(): struct.unpack(">ii", p) for n, p in zip(names[1:], pairs)}   # names[0] is 'names'
off, ln = where["persuasion"]
blob = open(f"{data}/Rdata.rdb", "rb").read()[off:off + ln]
d = zlib.decompress(blob[4:])
p = 2 + 12
p += 4 + struct.unpack(">I", d[p:p + 4])[0]          # native encoding name (format version 3)
assert struct.unpack(">I", d[p:p + 4])[0] & 0xFF == 16  # STRSXP
count = struct.unpack(">I", d[p + 4:p + 8])[0]
p += 8
lines = []
for _ in range(count):
    _, n = struct.unpack(">Ii", d[p:p + 8])
    p += 8
    lines.append("" if n == -1 else d[p:p + n].decode("utf-8"))
    p += max(n, 0)
text = "\n".join(lines) + "\n"
# the first chapters, cut before the chapter that would pass 150,000 characters
cut = max(m.start() for m in re.finditer(r"\nChapter \d+\n", text) if m.start() < 150_000)
sys.stdout.write(text[:cut].rstrip("\n") + "\n")
