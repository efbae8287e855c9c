# fuzz.mk: coverage-guided fuzzing with libFuzzer (issue #5, check 8);
# included by Makefile.am.  Four harnesses, each in fuzz/<name>.c:
#
#   path_route  method, URI, Content-Type, body -> request_parse: the path,
#               the query, the route and its captures
#   fields      JSON / form / query -> request_parse -> the weak-typing
#               field conversion
#   record      msgpack records -> the four decoders, with a round trip
#   policy      ACL policy text (HCL or JSON) -> policy_parse, acl_add,
#               acl_capabilities
#
# make fuzz         builds them and fuzzes each for FUZZ_SECONDS (60) with
#                   its corpus, fuzz/corpus/<name>/ in the source tree, where
#                   new inputs go so they can be committed; crash inputs go
#                   to fuzz/bin/crashes/<name>/ in the build tree.
# make fuzz-replay  builds them and runs each once over its corpus and its
#                   regression inputs (fuzz/regressions/<name>/): no fuzzing,
#                   a few seconds, non-zero on any crash or failed check.
# make fuzz-merge   minimises each corpus in place (after make fuzz, before
#                   committing it).
#
# Knobs: FUZZ_SECONDS, FUZZ_HARNESSES (a subset), FUZZ_FLAGS (more
# libFuzzer flags for make fuzz, e.g. FUZZ_FLAGS=-use_value_profile=1).
# The harnesses are built with FUZZ_CC (clang, found by configure) under
# fuzz/bin/ in the build tree, from the same sources as catalogd: lib/,
# db/ and fcgi/ without fcgi/main.c (libFuzzer brings its own main).
# Only portable make here: shell loops, no pattern rules.

FUZZ_HARNESSES = path_route fields record policy
FUZZ_SECONDS = 60
FUZZ_FLAGS =
FUZZ_SANITIZE = -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_INCLUDES = $(DEFS) -I$(top_builddir) -I$(top_srcdir) \
	$(JANSSON_CFLAGS) $(MSGPACK_CFLAGS) $(FCGI_CFLAGS) $(CRYPTO_CFLAGS) \
	$(ZLIB_CFLAGS) $(CURL_CFLAGS)
FUZZ_LINK = $(FCGI_LIBS) $(JANSSON_LIBS) $(MSGPACK_LIBS) $(CRYPTO_LIBS) \
	$(DB_LIBS) $(ZLIB_LIBS) $(CURL_LIBS)
# The server's own source lists, so a new file there is fuzzed too.
FUZZ_CODE = $(libcatalog_a_SOURCES) $(libcatalogdb_a_SOURCES) \
	$(catalogd_SOURCES)
# The longest input each harness is given (sets $$max in a recipe).
FUZZ_MAXLEN = case $$h in path_route) max=1024;; *) max=4096;; esac
FUZZ_NO_CC = FUZZ_CC is empty: configure found no clang.  Install the \
	Debian packages clang and libclang-rt-14-dev, then run ./configure \
	again (or pass FUZZ_CC=/path/to/clang to make).

EXTRA_DIST += fuzz/README fuzz/request.h fuzz/path_route.c fuzz/fields.c \
	fuzz/record.c fuzz/policy.c fuzz/path_route.dict fuzz/fields.dict \
	fuzz/record.dict fuzz/policy.dict fuzz/corpus fuzz/regressions

# Everything but main, instrumented, in one archive the harnesses link.
fuzz/bin/libfuzzcode.a: $(FUZZ_CODE) config.h
	@if test -z "$(FUZZ_CC)"; then echo "$(FUZZ_NO_CC)" >&2; exit 1; fi
	@$(MKDIR_P) fuzz/bin/obj
	@rm -f fuzz/bin/obj/*.o $@
	@for s in $(FUZZ_CODE); do \
	  case $$s in fcgi/main.c|*.h) continue;; esac; \
	  o=fuzz/bin/obj/`echo $$s | sed 's|/|_|g; s|\.c$$|.o|'`; \
	  echo "  FUZZCC   $$s"; \
	  $(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link \
	    $(FUZZ_INCLUDES) -c $(srcdir)/$$s -o $$o || exit 1; \
	done
	@echo "  AR       $@"; $(AR) cr $@ fuzz/bin/obj/*.o && $(RANLIB) $@

fuzz/bin/path_route: fuzz/path_route.c fuzz/request.h fuzz/bin/libfuzzcode.a
	@echo "  FUZZLD   $@"; $(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer \
	  $(FUZZ_INCLUDES) $(srcdir)/fuzz/path_route.c fuzz/bin/libfuzzcode.a \
	  $(FUZZ_LINK) -o $@
fuzz/bin/fields: fuzz/fields.c fuzz/request.h fuzz/bin/libfuzzcode.a
	@echo "  FUZZLD   $@"; $(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer \
	  $(FUZZ_INCLUDES) $(srcdir)/fuzz/fields.c fuzz/bin/libfuzzcode.a \
	  $(FUZZ_LINK) -o $@
fuzz/bin/record: fuzz/record.c fuzz/bin/libfuzzcode.a
	@echo "  FUZZLD   $@"; $(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer \
	  $(FUZZ_INCLUDES) $(srcdir)/fuzz/record.c fuzz/bin/libfuzzcode.a \
	  $(FUZZ_LINK) -o $@
fuzz/bin/policy: fuzz/policy.c fuzz/bin/libfuzzcode.a
	@echo "  FUZZLD   $@"; $(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer \
	  $(FUZZ_INCLUDES) $(srcdir)/fuzz/policy.c fuzz/bin/libfuzzcode.a \
	  $(FUZZ_LINK) -o $@

.PHONY: fuzz fuzz-replay fuzz-build fuzz-merge fuzz-clean
fuzz-build:
	@if test -z "$(FUZZ_CC)"; then echo "$(FUZZ_NO_CC)" >&2; exit 1; fi
	@progs=; for h in $(FUZZ_HARNESSES); do progs="$$progs fuzz/bin/$$h"; \
	done; $(MAKE) $(AM_MAKEFLAGS) -s $$progs

# New inputs go to the corpus in the source tree.  The regression inputs
# are left to fuzz-replay: one not yet fixed would stop every run at once.
fuzz: fuzz-build
	@fail=; for h in $(FUZZ_HARNESSES); do \
	  $(FUZZ_MAXLEN); \
	  dict=; test -f $(srcdir)/fuzz/$$h.dict && \
	    dict=-dict=$(srcdir)/fuzz/$$h.dict; \
	  $(MKDIR_P) $(srcdir)/fuzz/corpus/$$h fuzz/bin/crashes/$$h; \
	  echo "fuzz: $$h for $(FUZZ_SECONDS) s"; \
	  fuzz/bin/$$h -max_total_time=$(FUZZ_SECONDS) -max_len=$$max \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $$dict \
	    -artifact_prefix=fuzz/bin/crashes/$$h/ $(FUZZ_FLAGS) \
	    $(srcdir)/fuzz/corpus/$$h || fail="$$fail $$h"; \
	done; \
	if test -n "$$fail"; then \
	  echo "fuzz: crashes in$$fail; inputs in fuzz/bin/crashes/" \
	    "(fuzz/README: what to do with them)" >&2; \
	  exit 1; \
	fi

# The corpus in one run per harness (-runs=0: execute every input once,
# then stop); each regression input on its own, so that every one that
# still fails is named.
fuzz-replay: fuzz-build
	@fail=; for h in $(FUZZ_HARNESSES); do \
	  c=$(srcdir)/fuzz/corpus/$$h; log=fuzz/bin/$$h-replay.log; \
	  if test -d $$c; then \
	    n=`ls $$c | wc -l`; \
	    if fuzz/bin/$$h -runs=0 -timeout=10 -rss_limit_mb=2048 \
	        -artifact_prefix=fuzz/bin/$$h- $$c >$$log 2>&1; then \
	      echo "fuzz-replay: $$h: $$n corpus inputs, no crash"; \
	    else \
	      tail -n 40 $$log >&2; \
	      echo "fuzz-replay: $$h: corpus FAILED (log: $$log)" >&2; \
	      fail="$$fail $$h/corpus"; \
	    fi; \
	  fi; \
	  for r in $(srcdir)/fuzz/regressions/$$h/*; do \
	    test -f "$$r" || continue; \
	    rlog=fuzz/bin/$$h-`basename "$$r"`.log; \
	    if fuzz/bin/$$h -timeout=10 -rss_limit_mb=2048 "$$r" \
	        >$$rlog 2>&1; then \
	      echo "fuzz-replay: $$h: passes $$r"; \
	    else \
	      grep -E 'ERROR|SUMMARY|invariant failed' $$rlog | head -n 5 >&2; \
	      echo "fuzz-replay: $$h: FAILS $$r (log: $$rlog)" >&2; \
	      fail="$$fail $$h/`basename "$$r"`"; \
	    fi; \
	  done; \
	done; \
	if test -n "$$fail"; then \
	  echo "fuzz-replay: failed:$$fail" >&2; exit 1; \
	fi

# Minimises each corpus in the source tree: the hand-written seed-* inputs
# stay, and of the rest only what adds coverage (libFuzzer's -merge=1).
fuzz-merge: fuzz-build
	@for h in $(FUZZ_HARNESSES); do \
	  $(FUZZ_MAXLEN); c=$(srcdir)/fuzz/corpus/$$h; m=fuzz/bin/merge-$$h; \
	  test -d $$c || continue; \
	  rm -rf $$m && $(MKDIR_P) $$m && \
	  for f in $$c/seed-*; do test -f $$f && cp $$f $$m/; done; \
	  fuzz/bin/$$h -merge=1 -max_len=$$max $$m $$c \
	      >fuzz/bin/$$h-merge.log 2>&1 || { \
	    echo "fuzz-merge: $$h failed (log: fuzz/bin/$$h-merge.log)" >&2; \
	    exit 1; }; \
	  rm -f $$c/* && cp $$m/* $$c/ && rm -rf $$m || exit 1; \
	  echo "fuzz-merge: $$h: `ls $$c | wc -l` inputs"; \
	done

fuzz-clean:
	-rm -rf fuzz/bin
clean-local: fuzz-clean
