"""Physical memory: the buddy allocator's free lists."""
import gdb

from faultline.utils import register


@register
class FlFreePages(gdb.Command):
    """fl-freepages: free pages (the total the tests compare), and blocks free at each order."""
    NAME = "fl-freepages"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        nr_free = int(gdb.parse_and_eval("nr_free"))
        total = int(gdb.parse_and_eval("totalram_pages"))
        print(f"free pages: {nr_free} of {total} ({nr_free * 4} KiB free)")
        area = gdb.parse_and_eval("free_area")
        line = []
        for order in range(int(gdb.parse_and_eval("sizeof(free_area)/sizeof(free_area[0])"))):
            line.append(f"{order}:{int(area[order]['nr_free'])}")
        print("free blocks by order: " + " ".join(line))
