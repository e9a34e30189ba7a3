#!/usr/bin/env python3
"""Print compile_commands.json for the kernel's C files (for clangd and other editors).

Usage (from the Makefile): gen-compile-commands.py "KCFLAGS" FILE...
"""
import json
import os
import shlex
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
flags = shlex.split(sys.argv[1])
entries = []
for src in sys.argv[2:]:
    if not src.endswith(".c"):
        continue
    entries.append({
        "directory": root,
        "file": os.path.join(root, src),
        "arguments": ["gcc", *flags, "-c", src, "-o", f"build/k/{src}.o"],
    })
print(json.dumps(entries, indent=1))
