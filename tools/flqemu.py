"""Boot the Faultline ISO in QEMU: the one place that knows the QEMU command line.

The ISO never changes between runs.  Each run gets a small FAT disk holding
faultline.cfg (a GRUB menu entry with this run's kernel command line) and,
optionally, the initramfs; boot/grub.cfg looks for it.  COM1 is the console,
COM2 carries one control line ("FAULTLINE-EXIT <kind> <value>") written just
before the kernel powers QEMU off through isa-debug-exit (docs/testing.md).
"""
import os
import shlex
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ISO = os.path.join(ROOT, "build", "faultline.iso")

# QEMU exit status = (value << 1) | 1 for a write to isa-debug-exit.
QEMU_EXIT_KTEST_DONE = (0x10 << 1) | 1  # 33
QEMU_EXIT_PANIC = (0x11 << 1) | 1       # 35


def make_disk(path, cmdline, initramfs):
    """A FAT image with faultline.cfg and initrd.cpio, made with mtools."""
    size = 4 * 1024 * 1024
    if initramfs:
        size += os.path.getsize(initramfs)
    size = (size + (1 << 20) - 1) & ~((1 << 20) - 1)
    with open(path, "wb") as f:
        f.truncate(size)
    subprocess.run(["mformat", "-i", path, "-T", str(size // 512), "-h", "64", "-s", "32", "::"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # GRUB's script syntax would end the command at ';' (and treat &|<> specially): escape those.
    # Quotes pass through as written; the kernel splits init's arguments at spaces only.
    for ch in ";&|<>":
        cmdline = cmdline.replace(ch, "\\" + ch)
    cfg = ['menuentry "Faultline" {',
           f"\tmultiboot2 ($isoroot)/boot/faultline.elf {cmdline}".rstrip()]
    if initramfs:
        cfg.append("\tmodule2 ($fldisk)/initrd.cpio initramfs")
    cfg += ["\tboot", "}", ""]
    cfg_path = path + ".cfg"
    with open(cfg_path, "w") as f:
        f.write("\n".join(cfg))
    subprocess.run(["mcopy", "-i", path, cfg_path, "::/faultline.cfg"], check=True)
    if initramfs:
        subprocess.run(["mcopy", "-i", path, initramfs, "::/initrd.cpio"], check=True)


def private_iso(tmp):
    """A copy of the ISO for this run: a rebuild of build/faultline.iso mid-boot cannot touch it."""
    iso = os.path.join(tmp, "faultline.iso")
    if not os.path.exists(iso):
        shutil.copyfile(ISO, iso)
    return iso


def qemu_command(disk, console, control, mem="256M", accel="tcg", extra=(), gdb_port=None,
                 paused=False, iso=None):
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-cpu", "max", "-m", mem,
           "-accel", accel, "-display", "none", "-no-reboot", "-monitor", "none",
           "-serial", console, "-serial", control,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-drive", f"file={disk},format=raw,if=ide,index=0",
           "-cdrom", iso or ISO, "-boot", "d"]
    if gdb_port:
        cmd += ["-gdb", f"tcp::{gdb_port}"]
    if paused:
        cmd.append("-S")
    cmd += list(extra)
    return cmd


class Result:
    def __init__(self):
        self.console = b""      # everything COM1 carried
        self.control = ""       # the COM2 line, if any
        self.qemu_status = None
        self.timed_out = False
        self.seconds = 0.0

    @property
    def exit_kind(self):
        """'init', 'ktest', 'panic', or None when the kernel never said."""
        parts = self.control.split()
        return parts[1] if len(parts) >= 3 and parts[0] == "FAULTLINE-EXIT" else None

    @property
    def exit_value(self):
        parts = self.control.split()
        return int(parts[2]) if self.exit_kind else None


def boot(cmdline="", initramfs=None, timeout=60, mem=None, extra_opts=None, keep_dir=None):
    """Boot non-interactively and collect the console output and the control line."""
    mem = mem or os.environ.get("MEM", "256M")
    extra = shlex.split(extra_opts if extra_opts is not None else os.environ.get("QEMU_OPTS", ""))
    tmp = keep_dir or tempfile.mkdtemp(prefix="faultline-")
    try:
        disk = os.path.join(tmp, "disk.img")
        make_disk(disk, cmdline, initramfs)
        console = os.path.join(tmp, "com1.txt")
        control = os.path.join(tmp, "com2.txt")
        cmd = qemu_command(disk, f"file:{console}", f"file:{control}", mem=mem,
                           accel=os.environ.get("ACCEL", "tcg"), extra=extra, iso=private_iso(tmp))
        res = Result()
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            _, err = proc.communicate(timeout=timeout)
            res.qemu_status = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            res.timed_out = True
            err = b""
        res.seconds = time.monotonic() - start
        if err and res.qemu_status not in (None,) and not os.path.exists(console):
            raise RuntimeError(err.decode(errors="replace"))
        with open(console, "rb") as f:
            res.console = f.read()
        if os.path.exists(control):
            with open(control, "r", errors="replace") as f:
                lines = [l for l in f.read().splitlines() if l.startswith("FAULTLINE-EXIT")]
                res.control = lines[-1] if lines else ""
        return res
    finally:
        if not keep_dir:
            shutil.rmtree(tmp, ignore_errors=True)


def boot_interactive(cmdline="", initramfs=None, mem=None, gdb_port=None, paused=False):
    """Serial console on this terminal; returns QEMU's exit status."""
    mem = mem or os.environ.get("MEM", "256M")
    extra = shlex.split(os.environ.get("QEMU_OPTS", ""))
    tmp = tempfile.mkdtemp(prefix="faultline-")
    try:
        disk = os.path.join(tmp, "disk.img")
        make_disk(disk, cmdline, initramfs)
        cmd = qemu_command(disk, "mon:stdio", f"file:{os.path.join(tmp, 'com2.txt')}", mem=mem,
                           accel=os.environ.get("ACCEL", "tcg"), extra=extra, gdb_port=gdb_port,
                           paused=paused)
        cmd[cmd.index("-monitor") + 1] = "none"
        # mon:stdio multiplexes the monitor: Ctrl-A X quits, Ctrl-A C toggles the monitor.
        del cmd[cmd.index("-monitor"):cmd.index("-monitor") + 2]
        return subprocess.call(cmd)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class PausedMachine:
    """QEMU stopped at the first instruction with its gdbstub listening (for make debug and tests)."""

    def __init__(self, cmdline="", initramfs=None, port=None, console=None):
        import socket
        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.tmp = tempfile.mkdtemp(prefix="faultline-gdb-")
        disk = os.path.join(self.tmp, "disk.img")
        make_disk(disk, cmdline, initramfs)
        self.console = console or os.path.join(self.tmp, "com1.txt")
        cmd = qemu_command(disk, f"file:{self.console}", f"file:{os.path.join(self.tmp, 'com2.txt')}",
                           mem=os.environ.get("MEM", "256M"), accel=os.environ.get("ACCEL", "tcg"),
                           extra=shlex.split(os.environ.get("QEMU_OPTS", "")), gdb_port=port,
                           paused=True, iso=private_iso(self.tmp))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def gdb_prelude(self):
        """The GDB commands that attach with the right architecture, symbols and helpers."""
        return ["set pagination off", "set confirm off", "set architecture i386:x86-64",
                f"file {os.path.join(ROOT, 'build', 'faultline.elf')}",
                f"target remote 127.0.0.1:{self.port}",
                f"source {os.path.join(ROOT, 'scripts', 'gdb', 'faultline-gdb.py')}"]

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
