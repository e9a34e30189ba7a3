# Faultline's GDB helpers.  `make debug` loads this file; by hand:
#   (gdb) set architecture i386:x86-64
#   (gdb) file build/faultline.elf
#   (gdb) target remote :PORT
#   (gdb) source scripts/gdb/faultline-gdb.py
# Then `fl-help` lists the commands (docs/gdb.md has a tour).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Sourcing the file again (after editing a helper) reloads every module.
for _name in [m for m in sys.modules if m == "faultline" or m.startswith("faultline.")]:
    del sys.modules[_name]

import faultline.utils  # noqa: E402,F401  (fl-help first)
import faultline.mm  # noqa: E402,F401  (fl-ps, fl-mm)
import faultline.vmas  # noqa: E402,F401  (fl-vmas, fl-vmatree)
import faultline.pagetable  # noqa: E402,F401  (fl-pagewalk)
import faultline.fault  # noqa: E402,F401  (fl-fault, fl-break-fault, $fl_fault_address)
import faultline.memory  # noqa: E402,F401  (fl-freepages)
import faultline.printers  # noqa: E402,F401  (pte_t ... and struct page)

print("Faultline GDB helpers loaded: type fl-help")
