#!/usr/bin/env bash
# tools/gen-pictures.sh: regenerate the pictures of docs/pictures.md from real runs.
#
#   tools/gen-pictures.sh [--no-build] [--no-gdb]
#
# 1. Builds the ISO (make iso; --no-build skips it).
# 2. Compiles mmpics, a small static program (its source is below), and runs
#    it as PID 1 with tools/run-elf.  It maps a few pages, forks, and at each
#    step prints /proc/PID/maps and /proc/PID/ptdump of itself and its child,
#    between "@@mmviz begin NAME" / "@@mmviz end NAME" lines.
# 3. Boots it again paused under GDB, stops at the child's exit_group and
#    records fl-mm, fl-vmas and fl-pagewalk for the parent (--no-gdb skips
#    this; it is skipped too if gdb is not installed).
# 4. Saves those inputs in docs/img/src/ and draws docs/img/*.svg with
#    tools/mmviz.py.
#
# Needs: graphviz (dot), musl-tools (musl-gcc), qemu-system-x86, gdb.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMG=$ROOT/docs/img
SRC=$IMG/src
MMVIZ=$ROOT/tools/mmviz.py
BUILD=1
GDB=1
for arg in "$@"; do
	case $arg in
	--no-build) BUILD=0 ;;
	--no-gdb) GDB=0 ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "gen-pictures: unknown argument $arg (try --help)" >&2; exit 2 ;;
	esac
done

need() {   # need COMMAND DEBIAN-PACKAGE
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "gen-pictures: $1 not found: install the Debian package $2 (apt-get install -y $2)" >&2
		exit 1
	fi
}
need dot graphviz
need musl-gcc musl-tools
need qemu-system-x86_64 qemu-system-x86
need python3 python3
if [ "$GDB" = 1 ] && ! command -v gdb >/dev/null 2>&1; then
	echo "gen-pictures: gdb not found (Debian package gdb): skipping the GDB picture" >&2
	GDB=0
fi

cd "$ROOT"
if [ "$BUILD" = 1 ]; then
	make -s iso
fi
[ -f build/faultline.iso ] || { echo "gen-pictures: build/faultline.iso is missing: run make iso" >&2; exit 1; }

# Instruction counting makes the runs repeatable: the same kernel and program give
# the same physical pages, so the pictures change only when one of them does.
export QEMU_OPTS="${QEMU_OPTS:--icount shift=0,align=off,sleep=off}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gen-pictures.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------- the program
cat > "$TMP/mmpics.c" <<'EOF'
/*
 * mmpics: the runs behind docs/pictures.md (written by tools/gen-pictures.sh).
 *
 *   0x10000000  6 private anonymous pages: 0-3 written, 4 only read (the
 *               zero page), 5 never touched (no PTE)
 *   0x10008000  1 page written, then mprotect(PROT_NONE)
 *   0x1000a000  the first page of this program's file, mapped and read
 *   0x10200000  1 MAP_SHARED anonymous page (the next PTE table): the turn
 *               number that parent and child take turns with
 *
 * Then fork, and copy-on-write step by step:
 *   cow-1  just after fork, the child started (the parent dumps itself and the child)
 *   cow-2  the child wrote pages 0, 1 and 4
 *   cow-3  the parent wrote pages 0 and 2
 * Output: "@@mmviz begin NAME", the /proc file, "@@mmviz end NAME".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

static char buf[8192];
static volatile int *turn;

static void die(const char *what)
{
	dprintf(2, "mmpics: %s failed\n", what);
	exit(1);
}

static void dump(const char *name, const char *path)
{
	int fd = open(path, O_RDONLY);
	long n;

	if (fd < 0)
		die(path);
	dprintf(1, "@@mmviz begin %s\n", name);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, n) != n)
			die("write");
	close(fd);
	dprintf(1, "@@mmviz end %s\n", name);
}

static void dump_both(const char *step, pid_t child)
{
	char name[64], path[64];

	snprintf(name, sizeof(name), "%s-parent.ptdump", step);
	dump(name, "/proc/self/ptdump");
	snprintf(name, sizeof(name), "%s-child.ptdump", step);
	snprintf(path, sizeof(path), "/proc/%d/ptdump", (int)child);
	dump(name, path);
}

static void *map_at(unsigned long addr, unsigned long len, int prot, int flags, int fd)
{
	void *p = mmap((void *)addr, len, prot, flags | MAP_FIXED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void wait_turn(int n)
{
	while (*turn != n)
		sched_yield();
}

int main(int argc, char **argv)
{
	(void)argc;
	/* the heap: move the break up three pages and write them */
	char *brk0 = (char *)syscall(SYS_brk, 0);
	if ((char *)syscall(SYS_brk, brk0 + 3 * PG) != brk0 + 3 * PG)
		die("brk");
	memset(brk0, 1, 3 * PG);

	char *d = map_at(0x10000000, 6 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	for (int i = 0; i < 4; i++)
		d[i * PG] = 'a' + i;
	volatile char c = d[4 * PG];
	char *g = map_at(0x10008000, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	g[0] = 'g';
	if (mprotect(g, PG, PROT_NONE))
		die("mprotect");
	int fd = open(argv[0], O_RDONLY);
	if (fd < 0)
		die("open");
	char *f = map_at(0x1000a000, PG, PROT_READ, MAP_PRIVATE, fd);
	c = f[0];
	(void)c;
	close(fd);
	turn = map_at(0x10200000, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	*turn = 0;          /* mapped in the parent before fork */

	dump("mmpics.maps", "/proc/self/maps");
	dump("mmpics.ptdump", "/proc/self/ptdump");

	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		*turn = 1;          /* running */
		wait_turn(2);
		d[0] = 'A';         /* shared with the parent: copied */
		d[PG] = 'B';
		d[4 * PG] = 'Z';    /* the zero page: a new zeroed page */
		*turn = 3;
		wait_turn(4);
		_exit(0);
	}
	/* Each dump waits until the child is parked in wait_turn: the pictures do not
	 * depend on when the scheduler happened to run it. */
	wait_turn(1);
	dump_both("cow-1", child);
	*turn = 2;
	wait_turn(3);
	dump_both("cow-2", child);
	d[0] = 'x';         /* the child has its own copy now: reused in place */
	d[2 * PG] = 'y';    /* still shared with the child: copied */
	dump_both("cow-3", child);
	*turn = 4;
	int status;
	if (waitpid(child, &status, 0) != child || status != 0)
		die("the child");
	return 0;
}
EOF
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$TMP/mmpics" "$TMP/mmpics.c"

# ---------------------------------------------------------------- the run
echo "gen-pictures: running mmpics under Faultline"
status=0
tools/run-elf "$TMP/mmpics" > "$TMP/run.txt" || status=$?
if [ "$status" != 0 ]; then
	cat "$TMP/run.txt" >&2
	echo "gen-pictures: mmpics exited with status $status" >&2
	exit 1
fi
mkdir -p "$SRC"
# (gdb-session.txt stays with --no-gdb: the GDB picture is then drawn from the last one)
find "$SRC" -name '*.txt' ! -name gdb-session.txt -delete
# "@@mmviz begin NAME" ... "@@mmviz end NAME" -> docs/img/src/NAME.txt
awk -v dir="$SRC" '
	/^@@mmviz begin / { out = dir "/" $3 ".txt"; printf "" > out; next }
	/^@@mmviz end /   { close(out); out = ""; next }
	out != ""         { print > out }
' "$TMP/run.txt"
for name in mmpics.maps mmpics.ptdump cow-1-parent.ptdump cow-1-child.ptdump cow-2-parent.ptdump \
	cow-2-child.ptdump cow-3-parent.ptdump cow-3-child.ptdump; do
	[ -s "$SRC/$name.txt" ] || { echo "gen-pictures: mmpics printed no $name" >&2; exit 1; }
done

# ---------------------------------------------------------------- the GDB session
if [ "$GDB" = 1 ]; then
	echo "gen-pictures: the same run under GDB (fl-mm, fl-vmas, fl-pagewalk)"
	python3 - "$TMP" "$SRC/gdb-session.txt" <<'EOF'
import os, subprocess, sys
sys.path.insert(0, "tools")
import flqemu, mkinitramfs

tmp, out = sys.argv[1], sys.argv[2]
with open(os.path.join(tmp, "mmpics"), "rb") as f:
    cpio = os.path.join(tmp, "mmpics.cpio")
    with open(cpio, "wb") as c:
        c.write(mkinitramfs.build([("init", 0o100755, f.read())]))
# The child's exit_group: the parent is in waitpid, its pages as in cow-3.
addrs = list(range(0x10000000, 0x1000b000, 0x1000)) + [0x10200000]
walks = ("python [gdb.execute(f'fl-pagewalk {a:#x} 1') for a in ["
         + ", ".join(f"{a:#x}" for a in addrs) + "]]")
commands = ["hbreak sys_exit_group", "continue", "fl-mm 1", "fl-vmas 1", walks, "kill"]
m = flqemu.PausedMachine("console=raw init=/init", cpio)
try:
    args = ["gdb", "-q", "-batch", "-nx"]
    for c in m.gdb_prelude() + commands:
        args += ["-ex", c]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180)
finally:
    m.close()
text = r.stdout
if text.count("walk of ") != len(addrs) or "pgtables_bytes:" not in text:
    sys.stderr.write(text[-3000:] + "\ngen-pictures: the GDB session did not print every walk\n")
    sys.exit(1)
# keep what the commands printed, from the breakpoint on
start = text.find("mm_struct ")
with open(out, "w") as f:
    f.write("# tools/gen-pictures.sh: gdb -ex 'hbreak sys_exit_group' -ex continue -ex 'fl-mm 1' "
            "-ex 'fl-vmas 1' -ex 'fl-pagewalk ADDR 1'...\n")
    f.write(text[start:].replace("[Inferior 1 (process 1) killed]\n", ""))
EOF
fi

# ---------------------------------------------------------------- the pictures
RANGE=10000000-10400000
draw() {   # draw OUT.svg MMVIZ-ARGUMENTS...
	local out=$1
	shift
	echo "  docs/img/$out"
	python3 "$MMVIZ" "$@" -o "$IMG/$out"
}
echo "gen-pictures: drawing"
rm -f "$IMG"/*.svg
draw address-space.svg maps "$SRC/mmpics.maps.txt" --title "Address space of mmpics (/proc/self/maps)"
draw page-tables.svg ptdump "$SRC/mmpics.ptdump.txt" --maps "$SRC/mmpics.maps.txt" \
	--title "Page tables of mmpics (/proc/self/ptdump)"
draw cow-1-fork.svg ptdump "$SRC/cow-1-parent.ptdump.txt" "$SRC/cow-1-child.ptdump.txt" \
	--label parent --label child --range $RANGE --title "Copy-on-write 1: just after fork"
draw cow-2-child-writes.svg ptdump "$SRC/cow-2-parent.ptdump.txt" "$SRC/cow-2-child.ptdump.txt" \
	--label parent --label child --range $RANGE \
	--title "Copy-on-write 2: the child wrote pages 0, 1 and 4"
draw cow-3-parent-writes.svg ptdump "$SRC/cow-3-parent.ptdump.txt" "$SRC/cow-3-child.ptdump.txt" \
	--label parent --label child --range $RANGE \
	--title "Copy-on-write 3: then the parent wrote pages 0 and 2"
draw cow-parent-before.svg ptdump "$SRC/cow-1-parent.ptdump.txt" --range $RANGE \
	--maps "$SRC/mmpics.maps.txt" --title "The parent just after fork"
draw cow-parent-after.svg ptdump "$SRC/cow-2-parent.ptdump.txt" --range $RANGE \
	--maps "$SRC/mmpics.maps.txt" --title "The parent after the child wrote pages 0, 1 and 4"
if [ -s "$SRC/gdb-session.txt" ]; then
	[ "$GDB" = 1 ] || echo "gen-pictures: the GDB picture is from the last run with GDB" >&2
	draw gdb-pagewalk.svg ptdump "$SRC/gdb-session.txt" --maps "$SRC/gdb-session.txt" \
		--title "The parent's pages as GDB walks them (fl-pagewalk), at the child's exit"
fi
echo "gen-pictures: done: $(find "$IMG" -maxdepth 1 -name "*.svg" | wc -l) pictures in docs/img"
