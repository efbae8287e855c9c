# fuzz.mk: libFuzzer harnesses (issue #5, check 8); included by Makefile.am.
.PHONY: fuzz fuzz-replay
fuzz fuzz-replay:
	@echo "not written yet" >&2; exit 1
