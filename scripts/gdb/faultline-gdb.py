# Faultline's GDB helpers.  `make debug` loads this file; by hand:
#   (gdb) source scripts/gdb/faultline-gdb.py
# Then `fl-help` lists the commands.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import faultline.utils  # noqa: E402,F401
import faultline.pagetable  # noqa: E402,F401
import faultline.memory  # noqa: E402,F401

try:  # helpers that need the address-space and task structures
    import faultline.mm  # noqa: F401
except ImportError:
    pass

print("Faultline GDB helpers loaded: type fl-help")
