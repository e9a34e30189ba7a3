#!/usr/bin/env bash
# run-host.sh - build the Faultline user test programs and record the host
# Linux behaviour as the expected results.
#
#   tests/user/run-host.sh            build + run every case in cases.txt
#   tests/user/run-host.sh --build    build only
#   tests/user/run-host.sh --check    also run every case a second time, and a
#                                     third time under tools/fl_sysfilter
#                                     (Faultline's syscall surface via
#                                     seccomp); fail if any run differs
#
# Outputs:
#   build/user/<program>                   static x86-64 ELF (the tests)
#   build/user/fl_sysfilter                host-only helper (glibc, dynamic)
#   build/user/expected/<case>.out         stdout+stderr of the case (2>&1)
#   build/user/expected/<case>.status      exit status, or 128+N if killed by signal N
#
# Environment of every case: stdin from /dev/null, stdout+stderr to a regular
# file (NOT /dev/null or a pipe: write() EFAULT results depend on it),
# RLIMIT_STACK = 8 MiB.  When run as root the programs are started with an
# empty capability bounding set (setpriv) so that the host behaves like an
# unprivileged process: with CAP_SYS_RAWIO, MAP_FIXED at address 0 succeeds
# instead of giving EPERM.
set -u
cd "$(dirname "$0")/../.."          # repository root
SRC=tests/user
OUT=build/user
EXP=$OUT/expected
mkdir -p "$OUT" "$EXP"

CFLAGS="-static -nostdlib -nostartfiles -ffreestanding -fno-stack-protector -fno-pie -no-pie -O2 -Wall -Wextra -Werror -I$SRC/include"
RT="$SRC/lib/crt0.S $SRC/lib/ulib.c"
PROGS="mmap_errno munmap_mprotect brk stack_growth segv zero_page syscalls_misc map_count"
# OOM tests: built here, run only by the robust tier (MEM=96M), never compared with the host
PROGS="$PROGS oom_hog oom_fork"
# processes and threads: also linked with lib/fl_clone.S (include/fl_task.h)
TASK_PROGS="fork_cow exec_test threads proc_maps stress overcommit"

build() {
    local ok=0
    for p in $PROGS; do
        echo "  CC    $OUT/$p"
        gcc $CFLAGS -o "$OUT/$p" "$SRC/$p.c" $RT || ok=1
    done
    for p in $TASK_PROGS; do
        echo "  CC    $OUT/$p"
        gcc $CFLAGS -o "$OUT/$p" "$SRC/$p.c" $RT "$SRC/lib/fl_clone.S" || ok=1
    done
    echo "  MUSL  $OUT/musl_malloc"
    musl-gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/musl_malloc" "$SRC/musl_malloc.c" || ok=1
    echo "  MUSL  $OUT/musl_pthreads"
    musl-gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/musl_pthreads" "$SRC/musl_pthreads.c" || ok=1
    echo "  HOST  $OUT/fl_sysfilter"
    gcc -O2 -Wall -Wextra -Werror -o "$OUT/fl_sysfilter" "$SRC/tools/fl_sysfilter.c" || ok=1
    return $ok
}

# run_case DEST FILTER PROG ARGS... -> DEST.out, DEST.status
run_case() {
    local dest=$1 filter=$2 prog=$3
    shift 3
    local wrap=()
    if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        wrap=(setpriv --bounding-set=-all --inh-caps=-all --)
    fi
    [ "$filter" = yes ] && wrap+=("$OUT/fl_sysfilter")
    # a subshell so that a death by signal N is reported as 128+N; the shell's
    # own "Segmentation fault" notice goes to our stderr, not into DEST.out
    ( ulimit -s 8192; exec "${wrap[@]}" "$OUT/$prog" "$@" ) </dev/null >"$dest.out" 2>&1
    echo $? >"$dest.status"
}

same() { cmp -s "$1.out" "$2.out" && cmp -s "$1.status" "$2.status"; }

mode=${1:-run}
build || { echo "build failed" >&2; exit 1; }
# Two cases assume Linux's defaults, which Faultline implements; say so if the host differs.
for knob in "overcommit_memory 0 overcommit" "max_map_count 65530 map-count"; do
    set -- $knob
    v=$(cat /proc/sys/vm/$1 2>/dev/null || echo "$2")
    [ "$v" = "$2" ] || echo "run-host.sh: vm.$1 is $v here, not the default $2: case $3 will differ" >&2
done
[ "$mode" = --build ] && exit 0

fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r name prog args; do
    case "$name" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086
    run_case "$EXP/$name" no "$prog" $args 2>/dev/null
    note=""
    if [ "$mode" = --check ]; then
        # shellcheck disable=SC2086
        run_case "$tmp/again" no "$prog" $args 2>/dev/null
        # shellcheck disable=SC2086
        run_case "$tmp/filtered" yes "$prog" $args 2>/dev/null
        if ! same "$EXP/$name" "$tmp/again"; then
            note="NONDETERMINISTIC"
            fail=1
            diff "$EXP/$name.out" "$tmp/again.out" | head -10 >&2
        elif ! same "$EXP/$name" "$tmp/filtered"; then
            note="DIFFERS UNDER fl_sysfilter"
            fail=1
            diff "$EXP/$name.out" "$tmp/filtered.out" | head -10 >&2
        else
            note="deterministic, same under fl_sysfilter"
        fi
    fi
    printf '%-30s status %-4s %s\n' "$name" "$(cat "$EXP/$name.status")" "$note"
done <"$SRC/cases.txt"
exit $fail
