#!/usr/bin/env bash
# Build the fuzzer and the reproducers (static, no libc) into build/robust/.
#   tests/fuzz/build.sh   -> build/robust/fuzz, build/robust/mmcheck, build/robust/repro/<name>
set -eu
cd "$(dirname "$0")/../.."
CFLAGS="-static -nostdlib -nostartfiles -ffreestanding -fno-stack-protector -fno-pie -no-pie -O2 -Wall -Wextra -Werror -Itests/user/include"
RT="tests/user/lib/crt0.S tests/user/lib/ulib.c tests/user/lib/fl_clone.S"
mkdir -p build/robust/repro
gcc $CFLAGS -o build/robust/fuzz tests/fuzz/fuzz.c $RT
gcc $CFLAGS -o build/robust/mmcheck tests/fuzz/mmcheck.c $RT
for src in tests/fuzz/repro/*.c; do
    p=$(basename "$src" .c)
    gcc $CFLAGS -o "build/robust/repro/$p" "$src" $RT
done
