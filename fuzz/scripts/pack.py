#!/usr/bin/env python3
"""Pack a directory into one fuzz input (the format fuzz/src/lib.rs reads).

usage: pack.py DIR MAIN [SKIP...] > seed

MAIN (a path under DIR) becomes the first chunk; every other file under DIR, except those
whose path contains one of SKIP, follows as a `%%% path` chunk; symlinks become
`%%% path -> target` (target relative to DIR).
"""
import os
import sys


def main():
    root, first = sys.argv[1], sys.argv[2]
    skip = sys.argv[3:]
    out = bytearray(open(os.path.join(root, first), "rb").read())
    for base, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(base, name)
            rel = os.path.relpath(path, root)
            if rel == first or any(s in rel for s in skip):
                continue
            if os.path.islink(path):
                target = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
                out += b"\n%%%% %s -> %s" % (rel.encode(), target.encode())
                continue
            out += b"\n%%%% %s\n" % rel.encode()
            out += open(path, "rb").read()
    sys.stdout.buffer.write(bytes(out))


main()
