#!/usr/bin/env python3
"""Write a "newc" cpio archive (the initramfs format) in pure Python.

  mkinitramfs.py OUT.cpio DIR            every file under DIR, paths relative to it
  mkinitramfs.py OUT.cpio --file SRC=/path [--file SRC2=/path2 ...]
"""
import os
import stat
import sys


def entry(name, mode, data=b"", ino=1):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    hdr = b"070701" + b"".join(f"{v:08x}".encode() for v in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def build(items):
    """items: list of (archive path, mode, bytes)."""
    blob = b""
    for ino, (path, mode, data) in enumerate(items, start=1):
        blob += entry(path.lstrip("/"), mode, data, ino)
    blob += entry("TRAILER!!!", 0, b"", 0)
    return blob + b"\0" * (-len(blob) % 512)


def main():
    out = sys.argv[1]
    items = []
    if len(sys.argv) > 2 and sys.argv[2] != "--file":
        root = sys.argv[2]
        for dirpath, dirnames, filenames in sorted(os.walk(root)):
            rel = os.path.relpath(dirpath, root)
            if rel != ".":
                items.append((rel, stat.S_IFDIR | 0o755, b""))
            for fn in sorted(filenames):
                p = os.path.join(dirpath, fn)
                with open(p, "rb") as f:
                    items.append((os.path.normpath(os.path.join(rel, fn)), stat.S_IFREG | 0o755, f.read()))
    else:
        args = sys.argv[2:]
        for i in range(0, len(args), 2):
            src, dst = args[i + 1].split("=", 1)
            with open(src, "rb") as f:
                items.append((dst, stat.S_IFREG | 0o755, f.read()))
    with open(out, "wb") as f:
        f.write(build(items))


if __name__ == "__main__":
    main()
