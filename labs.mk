# labs.mk - the course labs (labs/README.md).  Included by the Makefile.
#
#   make labs                                list the labs
#   make lab-NAME [LABDIR=dir] [FORCE=1]     write lab NAME's skeleton (default: build/labs/NAME)
#   make grade-NAME [TREE=dir]               build TREE (default: this tree), run lab NAME's checks,
#                                            print one line per check and "Score: X/Y"
#
# A lab is a directory labs/NAME with a handout (README.md) and its checks
# (tests.txt); its code is marked in the sources (tools/mklab.py --list).
# The labs test tier: python3 tools/run-tests.py --only labs

PYTHON ?= python3
BUILD  ?= build
LABS := $(sort $(patsubst labs/%/tests.txt,%,$(wildcard labs/*/tests.txt)))

.PHONY: labs $(addprefix lab-,$(LABS)) $(addprefix grade-,$(LABS))

labs:
	@echo "The labs (handouts: labs/NAME/README.md; overview: labs/README.md):"
	@for l in $(LABS); do printf '  %-8s make lab-%s, then make grade-%s\n' $$l $$l $$l; done

$(addprefix lab-,$(LABS)): lab-%:
	@$(PYTHON) tools/mklab.py $* $(if $(LABDIR),$(LABDIR),$(BUILD)/labs/$*) $(if $(FORCE),--force)

$(addprefix grade-,$(LABS)): grade-%:
	@$(PYTHON) tools/grade.py $* $(TREE)
