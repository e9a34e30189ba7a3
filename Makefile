# Faultline: build, boot, test.   `make help` lists the targets.
#
# The kernel is linked twice: the first link gives the text symbols, which
# tools/gen-kallsyms.py turns into a table that the second link embeds
# (after .text, so no text address moves) for symbolised backtraces.

BUILD    := build
CC       := gcc
PYTHON   := python3
QEMU     := qemu-system-x86_64
MEM      ?= 256M
ACCEL    ?= tcg
CMDLINE  ?=
QEMU_OPTS ?=

KCFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 -mno-3dnow -fno-stack-protector \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-strict-aliasing -fno-common \
	-fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Iinclude -Iarch/x86/include -MMD -MP
KASFLAGS := -Iinclude -Iarch/x86/include -MMD -MP -g
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments -T linker.ld

KSRC := $(wildcard boot/*.S arch/x86/entry/*.S arch/x86/lib/*.S) \
	$(wildcard arch/x86/kernel/*.c arch/x86/mm/*.c arch/x86/lib/*.c arch/x86/entry/*.c) \
	$(wildcard kernel/*.c kernel/sched/*.c mm/*.c lib/*.c fs/*.c tests/ktest/*.c)
KOBJ := $(patsubst %,$(BUILD)/k/%.o,$(KSRC))

KERNEL := $(BUILD)/faultline.elf
ISO    := $(BUILD)/faultline.iso
INITRAMFS := $(BUILD)/initramfs.cpio

.PHONY: all kernel iso run debug test deps-user fuzz bench clean deps help \
	compile_commands.json
all: $(KERNEL) $(ISO)
kernel: $(KERNEL)
iso: $(ISO)

help:
	@echo "make            build $(KERNEL) and $(ISO)"
	@echo "make run        boot the ISO in QEMU (serial on this terminal; Ctrl-A X quits)"
	@echo "make debug      boot paused, with GDB attached and scripts/gdb loaded"
	@echo "make test       every test tier; ends with 'N passed, N failed'"
	@echo "make bench      the instruction-count benchmark (docs/performance.md)"
	@echo "make fuzz       the syscall fuzzer for FUZZ_SECONDS (docs/reliability.md)"
	@echo "variables: CMDLINE='...' MEM=256M ACCEL=tcg|kvm QEMU_OPTS='...'"

# Install what the build and the tests need (Debian 12, as root), once.
deps:
	@tools/ensure-deps

deps-user:
	@tools/ensure-deps --quiet musl-gcc

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

$(BUILD)/kallsyms0.S:
	@mkdir -p $(BUILD)
	: > $(BUILD)/empty.nm
	$(PYTHON) tools/gen-kallsyms.py $(BUILD)/empty.nm $@

$(BUILD)/%.o: $(BUILD)/%.S
	$(CC) $(KASFLAGS) -c $< -o $@

# First link: no symbol table.  Second: with the table made from the first.
$(BUILD)/faultline.pass1.elf: $(KOBJ) $(BUILD)/kallsyms0.o linker.ld
	ld $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/kallsyms0.o

$(BUILD)/kallsyms.S: $(BUILD)/faultline.pass1.elf tools/gen-kallsyms.py
	nm -n -S $< > $(BUILD)/pass1.nm
	$(PYTHON) tools/gen-kallsyms.py $(BUILD)/pass1.nm $@

$(KERNEL): $(KOBJ) $(BUILD)/kallsyms.o linker.ld
	ld $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/kallsyms.o
	@nm -n $@ | grep ' [tT] ' | awk '{print $$1, $$3}' > $(BUILD)/pass2.syms
	@nm -n $(BUILD)/faultline.pass1.elf | grep ' [tT] ' | awk '{print $$1, $$3}' | cmp -s - $(BUILD)/pass2.syms \
		|| { echo "kallsyms: text moved between links"; rm -f $@; exit 1; }

# The default initramfs: the interactive shell and the demo programs.
$(INITRAMFS): | deps-user
$(INITRAMFS): tools/mkinitramfs.py user/Makefile $(wildcard user/*.c user/*.h user/lib/* user/demos/*) | $(BUILD)
	$(MAKE) -C user BUILD=$(abspath $(BUILD))/user
	$(PYTHON) tools/mkinitramfs.py $@ $(BUILD)/user/rootfs

$(BUILD):
	mkdir -p $@

$(ISO): $(KERNEL) boot/grub.cfg
	@tools/ensure-deps --quiet grub-mkrescue xorriso mformat
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(KERNEL) $(BUILD)/iso/boot/faultline.elf
	cp boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

run: $(ISO) $(INITRAMFS)
	@tools/ensure-deps --quiet qemu-system-x86_64 musl-gcc
	tools/boot --initramfs $(INITRAMFS) --cmdline "$(CMDLINE)" --interactive

debug: $(ISO) $(INITRAMFS)
	@tools/ensure-deps --quiet qemu-system-x86_64 gdb
	tools/debug --initramfs $(INITRAMFS) --cmdline "$(CMDLINE)"

test: 
	@tools/ensure-deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) tools/run-tests.py

bench: $(ISO)
	@tools/ensure-deps --quiet qemu-system-x86_64 musl-gcc
	$(PYTHON) tools/bench.py

# The syscall fuzzer, boot after boot for FUZZ_SECONDS (default 600), stopping at the
# first failure; tests/fuzz/run.sh explains the configurations and the logs.
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1
fuzz: $(ISO)
	@tools/ensure-deps --quiet qemu-system-x86_64
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_SEED)

compile_commands.json:
	@$(PYTHON) tools/gen-compile-commands.py "$(KCFLAGS)" $(KSRC) > $@

clean:
	rm -rf $(BUILD)

-include labs.mk

# A change of flags rebuilds everything.
$(KOBJ): Makefile

-include $(KOBJ:.o=.d)
