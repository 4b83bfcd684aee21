#!/usr/bin/env python3
"""Writes the Fashion-MNIST subset embedded in Dsl.Datasets (see README.md).

Per class, it keeps the examples whose SHA-256 rank is lowest for a fixed seed, so the
choice depends on nothing but this file (no numpy, no Python RNG whose algorithm could change),
then writes them in their original order as gzipped IDX files with a fixed gzip header.

Usage: python3 make-subset.py [SOURCE_DIR]   (default /usr/share/datasets/fashion-mnist)
"""
import gzip
import hashlib
import os
import struct
import sys

SEED = "dsl-fashion-mnist-subset-v1"
CLASS_COUNT = 10
SPLITS = [  # (source prefix, examples kept per class)
    ("train", 800),
    ("t10k", 200),
]


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    found, = struct.unpack(">I", data[:4])
    if found != magic:
        sys.exit(f"{path}: magic 0x{found:08x}, expected 0x{magic:08x}")
    ndims = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndims, data[4:4 + 4 * ndims])
    return dims, data[4 + 4 * ndims:]


def rank(split, index):
    return hashlib.sha256(f"{SEED}:{split}:{index}".encode()).digest()


def write_idx_gz(path, magic, dims, body):
    # mtime=0 and no file name in the header: the same input gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
        f.write(struct.pack(">I" + "I" * len(dims), magic, *dims))
        f.write(body)


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    target = os.path.dirname(os.path.abspath(__file__))
    for split, per_class in SPLITS:
        (count, rows, cols), pixels = read_idx(os.path.join(source, f"{split}-images-idx3-ubyte.gz"), 0x803)
        (label_count,), labels = read_idx(os.path.join(source, f"{split}-labels-idx1-ubyte.gz"), 0x801)
        if label_count != count:
            sys.exit(f"{split}: {count} images but {label_count} labels")
        chosen = []
        for c in range(CLASS_COUNT):
            members = [i for i in range(count) if labels[i] == c]
            if len(members) < per_class:
                sys.exit(f"{split}: class {c} has only {len(members)} examples")
            chosen += sorted(members, key=lambda i: rank(split, i))[:per_class]
        chosen.sort()  # keep the original order
        size = rows * cols
        write_idx_gz(os.path.join(target, f"{split}-images-idx3-ubyte.gz"), 0x803, (len(chosen), rows, cols),
                     b"".join(pixels[i * size:(i + 1) * size] for i in chosen))
        write_idx_gz(os.path.join(target, f"{split}-labels-idx1-ubyte.gz"), 0x801, (len(chosen),),
                     bytes(labels[i] for i in chosen))
        print(f"{split}: {len(chosen)} of {count} examples, {per_class} per class")


if __name__ == "__main__":
    main()
