#!/usr/bin/env bash
# run.sh - fuzz Faultline for a given time: boot after boot with increasing seeds,
# stop at the first failure (panic, hang/timeout, leaked pages, fuzzer not done).
#
#   tests/fuzz/run.sh SECONDS [SEED]          e.g. tests/fuzz/run.sh 3600
#
# Each boot runs build/robust/fuzz as PID 1 (seed=S iters=$FUZZ_ITERS calls=$FUZZ_CALLS)
# under one of the kernel command-line configurations below, in turn:
#   plain                       the kernel as it boots by default
#   poison                      slub_debug page_poison=1: use-after-free panics at once
#   inject                      fail_page_alloc at 1 % (after 3000 calls), failslab at 3 % (after 2000), seeded
#   poison+inject               both
#   mmcheck                     not the fuzzer: build/robust/mmcheck seed=S ops=$FUZZ_OPS
#                               (random mmap/munmap/mprotect/madvise/fork checked
#                               against a model of the address space), with poisoning
# Environment: FUZZ_ITERS (100), FUZZ_CALLS (400), FUZZ_OPS (20000, mmcheck), FUZZ_PAR (2),
# FUZZ_KNOWN (which known kernel bugs of docs/reliability.md the fuzzer may hit: unset,
# the fixed ones; "all", "0", or a list like "2,4"), FUZZ_CONFIGS ("plain poison
# inject poison+inject mmcheck"),
# FUZZ_TIMEOUT (per boot, 300 s), MEM (guest RAM, 256M).
# Each run gets its own directory, build/robust/fuzz-run/<date-time>-s<seed>/ (and
# build/robust/fuzz-run/latest points to it), holding a snapshot of build/faultline.iso
# and build/faultline.elf taken at start (so that rebuilding meanwhile does not change the
# kernel under the run, and a failure can be replayed on the same kernel), results.txt
# (one line per boot), fail-<seed>.log (the console of a failing boot, with the oops) and
# last.log.  Exit status 0 if every boot
# passed, 1 at the first failure (its replay command is printed).
set -u
cd "$(dirname "$0")/../.."
secs=${1:?usage: tests/fuzz/run.sh SECONDS [SEED]}
seed=${2:-1}
iters=${FUZZ_ITERS:-100}
calls=${FUZZ_CALLS:-400}
par=${FUZZ_PAR:-2}
known=${FUZZ_KNOWN:-}   # empty: the fuzzer's default (every fixed bug, see fuzz.c)
timeout=${FUZZ_TIMEOUT:-300}
ops=${FUZZ_OPS:-20000}
read -r -a configs <<<"${FUZZ_CONFIGS:-plain poison inject poison+inject mmcheck}"
# One directory per run (several people may fuzz at once): build/robust/fuzz-run/<when>-s<seed>
dir=build/robust/fuzz-run/$(date +%Y%m%d-%H%M%S)-s$seed
mkdir -p "$dir"
ln -sfn "$(basename "$dir")" build/robust/fuzz-run/latest

tests/fuzz/build.sh || { echo "run.sh: build failed" >&2; exit 2; }
[ -f build/faultline.iso ] || { echo "run.sh: no build/faultline.iso (make first)" >&2; exit 2; }
cp build/faultline.iso "$dir/faultline.iso"
cp build/faultline.elf "$dir/faultline.elf"
export FUZZ_ISO=$PWD/$dir/faultline.iso
rev=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=$(git status --porcelain -- arch mm kernel fs include lib boot 2>/dev/null | wc -l)

cmdline_of() {
    local s=$1
    case $2 in
    plain) echo "" ;;
    poison) echo "slub_debug page_poison=1" ;;
    inject) echo "fail_page_alloc=1,3000 failslab=3,2000 fail_seed=$s" ;;
    poison+inject) echo "slub_debug page_poison=1 fail_page_alloc=1,3000 failslab=3,2000 fail_seed=$s" ;;
    mmcheck) echo "slub_debug page_poison=1" ;;
    *) echo "$2" ;;
    esac
}

echo "# run.sh $secs $seed: iters=$iters calls=$calls par=$par known=${known:-default}; kernel $rev (+$dirty changed files); $(date -Is)" | tee -a "$dir/results.txt"
start=$(date +%s)
boots=0 total_calls=0 total_children=0 total_ops=0 total_inj=0
while [ $(( $(date +%s) - start )) -lt "$secs" ]; do
    cfg=${configs[$(( boots % ${#configs[@]} ))]}
    cmd=$(cmdline_of "$seed" "$cfg")
    args=(seed=$seed iters=$iters calls=$calls par=$par ${known:+known=$known})
    mode=()
    if [ "$cfg" = mmcheck ]; then
        args=(seed=$seed ops=$ops)
        mode=(--mmcheck)
    fi
    line=$(python3 tests/fuzz/fuzz_boot.py "${mode[@]}" --cmdline "$cmd" --timeout "$timeout" --log "$dir/last.log" "${args[@]}")
    rc=$?
    [ -n "$line" ] || { line="FAIL harness error (tests/fuzz/fuzz_boot.py printed nothing)"; rc=1; }
    boots=$((boots + 1))
    printf 'seed %-6s %-14s %s\n' "$seed" "$cfg" "$line" | tee -a "$dir/results.txt"
    n=$(sed -n 's/.*syscalls=\([0-9]*\).*/\1/p' <<<"$line"); total_calls=$((total_calls + ${n:-0}))
    n=$(sed -n 's/.*children=\([0-9]*\).*/\1/p' <<<"$line"); total_children=$((total_children + ${n:-0}))
    n=$(sed -n 's/.*ops=\([0-9]*\).*/\1/p' <<<"$line"); total_ops=$((total_ops + ${n:-0}))
    n=$(sed -n 's/.*injected=\([0-9]*\).*/\1/p' <<<"$line"); total_inj=$((total_inj + ${n:-0}))
    if [ $rc -ne 0 ]; then
        cp "$dir/last.log" "$dir/fail-$seed.log"
        echo "# FAILED after $boots boots, $total_calls syscalls: log $dir/fail-$seed.log" | tee -a "$dir/results.txt"
        elf=build/robust/fuzz
        [ "$cfg" = mmcheck ] && elf=build/robust/mmcheck
        echo "# replay: FUZZ_ISO=$FUZZ_ISO python3 tests/fuzz/fuzz_boot.py ${mode[*]} --cmdline '$cmd' ${args[*]}" | tee -a "$dir/results.txt"
        echo "#     or: FL_CMDLINE='$cmd' tools/run-elf $elf ${args[*]}" | tee -a "$dir/results.txt"
        exit 1
    fi
    seed=$((seed + 1))
done
echo "# passed: $boots boots, $total_children children, $total_calls syscalls, $total_ops mmcheck operations, $total_inj injected allocation failures in $(( $(date +%s) - start )) s; next seed $seed" | tee -a "$dir/results.txt"
exit 0
