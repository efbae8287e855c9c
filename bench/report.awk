# report.awk: bench/run's table, target checks and SUMMARY line.
# Input: one tab-separated row per measured run:
#   group variant conc rep rps p50_ms p99_ms errs us_per_req steal% bg% cpf
#   503s requests
# (503s: "-" where the statuses were not counted).  The memory figures and
# settings come from the environment (ENVIRON); the replicated group's
# db5.3_stat deltas from the file ENVIRON["REPLSTATS"], one row per run:
#   group variant conc rep still_active, then for the active node and the
#   standbys s1 (the one the standby runs go through) and s2 each commits
#   flushes applied unacked, then their CPU ticks, and the run's requests

function median(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	if (n == 0)
		return ""
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}
function minv(s,    a, n, i, m) {
	n = split(s, a, " ")
	m = a[1] + 0
	for (i = 2; i <= n; i++) if (a[i] + 0 < m) m = a[i] + 0
	return m
}
function maxv(s,    a, n, i, m) {
	n = split(s, a, " ")
	m = a[1] + 0
	for (i = 2; i <= n; i++) if (a[i] + 0 > m) m = a[i] + 0
	return m
}
function add(arr, k, v) { arr[k] = (k in arr) ? arr[k] " " v : v }
function fmt_rps(x) { return sprintf("%.0f", x) }

# ratio(g, a, b): the per-round ratios rps(a)/rps(b) of group g, paired by
# round (both measured back to back); sets RMED, RMIN, RMAX.
function ratio(g, a, b,    r, s, x) {
	s = ""
	for (r = 1; r <= nrep[g]; r++) {
		if (!((g SUBSEP a SUBSEP r) in rps) || !((g SUBSEP b SUBSEP r) in rps))
			continue
		x = rps[g, b, r] > 0 ? rps[g, a, r] / rps[g, b, r] : 0
		s = s == "" ? x : s " " x
	}
	RMED = median(s); RMIN = minv(s); RMAX = maxv(s)
	return s != ""
}

function label_group(g) {
	if (g == "get") return "GET one runtime"
	if (g ~ /^put/) return "PUT distinct names"
	if (g == "mix") return "90/10 GET/PUT mix"
	if (g ~ /^list/) return sprintf("LIST %d (GET ?list=true)", substr(g, 5))
	if (g == "repl-get") return "GET one runtime (repl)"
	if (g ~ /^repl-put/) return "PUT distinct names (repl)"
	return g
}
function label_variant(v) {
	if (v == "static") return "(a) lighttpd static"
	if (v == "trivial") return "(b) trivial fcgi"
	if (v == "fsync") return "(c) raw fdatasync"
	if (v == "etcd") return "(d) etcd get"
	if (v == "etcd-put") return "(d) etcd put"
	if (v == "etcd-mix") return "(d) etcd mix"
	if (v ~ /^audit/) return "catalogd + audit file"
	if (v ~ /^repl-standby/) return "3 nodes: via standby"
	if (v ~ /^repl/) return "3 nodes: active"
	return "catalogd"
}

# check(name, ok, text): one target line; counts met and total.
function check(name, ok, text) {
	total++
	if (ok) met++
	printf "  %-44s %-7s %s\n", name, ok ? "met" : "MISSED", text
}

{
	g = $1; v = $2
	if (!((g SUBSEP v) in seen)) {
		seen[g, v] = 1
		order[++norder] = g SUBSEP v
	}
	conc[g, v] = $3
	rps[g, v, $4] = $5 + 0
	if ($4 + 0 > nrep[g]) nrep[g] = $4 + 0
	add(R, g SUBSEP v, $5)
	add(P50, g SUBSEP v, $6)
	add(P99, g SUBSEP v, $7)
	errs[g, v] += $8
	allerrs += $8
	if ($9 != "-") add(US, g SUBSEP v, $9)
	add(ST, g SUBSEP v, $10)
	add(BGS, g SUBSEP v, $11)
	if ($12 != "-") add(CPF, g SUBSEP v, $12)
	if ($13 != "-" && $13 != "") {
		s503[g, v] += $13
		counted[g, v] = 1
	}
	nreq[g, v] += $14
}

# div(x, y): x / y, or 0.
function div(x, y) { return y > 0 ? x / y : 0 }

# The replicated group: per run of a PUT variant, what the active node
# committed and flushed, the commits no quorum acknowledged in time, and
# what each standby applied and how many log flushes that took.
function repl_report(    line, f, k, v, n, key, d, i, w, lab, a, b, hz) {
	d = ENVIRON["DUR"] + 0
	while ((getline line < ENVIRON["REPLSTATS"]) > 0) {
		split(line, f, "\t")
		nruns++
		if (f[5] != 1) takeovers++
		if (f[1] != "repl-put32")
			continue
		k = f[2]
		add(RC, k, div(f[6], d))
		add(RCPF, k, div(f[6], f[7]))
		unacked[k] += f[9]
		add(A2, k, div(f[12], d))
		add(A3, k, div(f[16], d))
		add(F2, k, div(f[12], f[11]))
		add(F3, k, div(f[16], f[15]))
		add(FS2, k, div(f[11], d))
		add(FS3, k, div(f[15], d))
		hz = ENVIRON["HZ"] ? ENVIRON["HZ"] : 100
		add(U1, k, div(f[18] * 1e6 / hz, f[21]))
		add(U2, k, div(f[19] * 1e6 / hz, f[21]))
		add(U3, k, div(f[20] * 1e6 / hz, f[21]))
	}
	if (nruns == 0)
		return
	printf "\nreplicated group: three nodes on this machine (the active " \
	    "node; standbys s1, which the standby runs go through, and s2); " \
	    "PUT c=32 runs,\nmedians of rates over %s s runs, sums of " \
	    "counts\n", ENVIRON["DUR"]
	printf "  %-20s %8s %5s %6s %10s %8s %9s %16s %16s\n", "PUT c=32",
	    "requests", "503s", "errors", "commits/s", "per flush",
	    "not acked", "applied/s s1 s2", "per flush s1 s2"
	n = split("repl-put repl-standby-put", w, " ")
	for (i = 1; i <= n; i++) {
		v = w[i]
		key = "repl-put32" SUBSEP v
		if (!(key in seen))
			continue
		lab = v == "repl-put" ? "through the active" : "via a standby"
		printf "  %-20s %8d %5s %6d %10.0f %8.2f %9d %8.0f %7.0f %8.2f %7.2f\n",
		    lab, nreq[key], (key in counted) ? s503[key] : "-",
		    errs[key], median(RC[v]), median(RCPF[v]), unacked[v],
		    median(A2[v]), median(A3[v]), median(F2[v]), median(F3[v])
	}
	printf "  (commits/s, per flush: the active node's transactions " \
	    "committed, and per log flush; not acked: commits it sent that\n" \
	    "  no quorum acknowledged within the timeout, answered 503; " \
	    "applied: transactions each standby applied, and per log flush " \
	    "of its own)\n"
	v = "repl-put"
	if (("repl-put32" SUBSEP v) in seen)
		printf "  standby log flushes, PUT c=32 through the active node: " \
		    "s1 %.0f/s, s2 %.0f/s; raw fdatasync (one stream, the " \
		    "same disk) in the same rounds: %.0f/s\n", median(FS2[v]),
		    median(FS3[v]), median(R["repl-put32" SUBSEP "fsync"])
	if (("repl-put32" SUBSEP v) in seen)
		printf "  server CPU per PUT c=32 through the active node: " \
		    "active %.0f us, s1 %.0f us, s2 %.0f us; the single node: " \
		    "%.0f us\n",
		    median(U1[v]), median(U2[v]), median(U3[v]),
		    median(US["repl-put32" SUBSEP "catalogd-put"])
	# The acknowledgement's round trip: PUT c=1, one commit at a time.
	a = median(P50["repl-put1" SUBSEP "repl-put"])
	b = median(P50["repl-put1" SUBSEP "catalogd-put"])
	if (a != "" && b != "")
		printf "  ack wait: PUT c=1 p50 %.2f ms through the active node, " \
		    "%.2f ms on the single node: +%.2f ms per commit; one " \
		    "acknowledged commit at a time would make %.0f commits/s, " \
		    "c=32 made %.0f\n", a, b, a - b, (a > b ? 1000 / (a - b) : 0),
		    median(R["repl-put32" SUBSEP "repl-put"])
	printf "  the active node still active after each run: %s (%d runs)\n",
	    takeovers ? sprintf("NO, %d times", takeovers) : "yes", nruns
}

END {
	E = ENVIRON["ELAPSED"]
	printf "\ncatalogd benchmark: %s s x %s runs per variant, interleaved " \
	    "(A B, B A, ...); %s workers; read answer %s bytes; %s CPUs; " \
	    "PIN=%s; SPREAD=%s; %s s of load runs\n", ENVIRON["DUR"],
	    ENVIRON["REPS"], ENVIRON["WORKERS"], ENVIRON["BODY_BYTES"],
	    ENVIRON["NCPU"] ? ENVIRON["NCPU"] : 2, ENVIRON["PIN"],
	    ENVIRON["SPREAD"], E
	printf "rps and latency: medians over the runs, [min-max] of rps; " \
	    "us/req = server CPU per request; cpf = commits per log flush " \
	    "(etcd: proposals per WAL fsync)\n\n"
	printf "%-28s %-20s %4s %8s %-17s %7s %7s %5s %6s %6s %4s %5s\n",
	    "workload", "variant", "c", "rps", "[min-max]", "p50 ms",
	    "p99 ms", "errs", "us/req", "steal%", "bg%", "cpf"
	for (i = 1; i <= norder; i++) {
		split(order[i], k, SUBSEP)
		g = k[1]; v = k[2]; key = order[i]
		printf "%-28s %-20s %4s %8s %-17s %7.2f %7.2f %5d %6s %6s %4s %5s\n",
		    label_group(g), label_variant(v), conc[key],
		    fmt_rps(median(R[key])),
		    sprintf("[%s-%s]", fmt_rps(minv(R[key])), fmt_rps(maxv(R[key]))),
		    median(P50[key]), median(P99[key]), errs[key],
		    (key in US) ? sprintf("%.0f", median(US[key])) : "-",
		    median(ST[key]), median(BGS[key]),
		    (key in CPF) ? sprintf("%.2f", median(CPF[key])) : "-"
	}

	# The LIST of the big data set (curl, one after another).
	nb = 0; bt = ""
	while ((getline line < ENVIRON["BIGTIMES"]) > 0) {
		split(line, f, " ")
		bt = bt == "" ? f[2] * 1000 : bt " " f[2] * 1000
		bsize = f[3]
		if (f[1] != 200) { allerrs++; bigerr++ }
		nb++
	}
	if (nb > 0)
		printf "%-28s %-20s %4s %8s %-17s %7.0f %7s %5d %6s   (%d requests, %.1f MB each)\n",
		    sprintf("LIST %d (GET ?list=true)", ENVIRON["LIST_BIG"]),
		    "catalogd (curl)", 1, "-", "", median(bt), "-", bigerr + 0,
		    "-", nb, bsize / 1e6

	printf "\nratios, per round (A and B measured back to back): median [min-max]\n"
	nr = split("get catalogd trivial|get catalogd static|get catalogd etcd|" \
	    "put1 catalogd-put etcd-put|put8 catalogd-put etcd-put|" \
	    "put32 catalogd-put fsync|put32 catalogd-put etcd-put|" \
	    "mix catalogd-mix etcd-mix|get audit catalogd|" \
	    "put32 audit-put catalogd-put|repl-get repl catalogd|" \
	    "repl-get repl-standby catalogd|repl-put32 repl-put catalogd-put|" \
	    "repl-put32 repl-standby-put catalogd-put|" \
	    "repl-put1 repl-put catalogd-put", rl, "|")
	for (i = 1; i <= nr; i++) {
		split(rl[i], k, " ")
		if (ratio(k[1], k[2], k[3])) {
			printf "  %-10s %-30s %5.2f [%.2f-%.2f]\n", k[1],
			    label_variant(k[2]) " / " label_variant(k[3]),
			    RMED, RMIN, RMAX
			rmed[k[1], k[3]] = RMED
			rmed2[k[1], k[2], k[3]] = RMED
		}
	}

	repl_report()

	printf "\nworker memory (max over the %s workers)\n", ENVIRON["WORKERS"]
	printf "  idle after start:           VmRSS %.1f MiB (RssAnon %.1f MiB)\n",
	    ENVIRON["IDLE_RSS"] / 1024, ENVIRON["IDLE_ANON"] / 1024
	printf "  idle after the runs above:  VmRSS %.1f MiB (RssAnon %.1f MiB); " \
	    "%d of the first workers were replaced (CATALOGD_MAX_REQUESTS)\n",
	    ENVIRON["AFTER_RSS"] / 1024, ENVIRON["AFTER_ANON"] / 1024,
	    ENVIRON["REPLACED"]
	printf "  during LIST of %d:      peak VmRSS %.1f MiB, %.1f MiB over " \
	    "idle (%.1f MiB); peak RssAnon %.1f MiB (+%.1f MiB); the list " \
	    "had %s runtimes\n", ENVIRON["LIST_BIG"],
	    ENVIRON["BIG_PEAK"] / 1024, ENVIRON["BIG_DELTA"] / 1024,
	    ENVIRON["L_IDLE_RSS"] / 1024, ENVIRON["BIG_PEAK_ANON"] / 1024,
	    ENVIRON["BIG_DELTA_ANON"] / 1024, ENVIRON["BIG_COUNT"]
	printf "  growth check:               %s\n", ENVIRON["GROWTH_LINE"]

	# Targets (issue #6), all from this run.
	printf "\ntargets\n"
	total = 0; met = 0
	tr = rmed["get", "trivial"]
	check("GET >= 0.80 x trivial responder (c=" ENVIRON["CONC"] ")",
	    tr >= 0.80, sprintf("%.2f x (%+.0f%%)", tr, (tr / 0.80 - 1) * 100))
	gp99 = median(P99["get" SUBSEP "catalogd"])
	check("GET p99 <= 10 ms", gp99 != "" && gp99 <= 10,
	    sprintf("%.2f ms", gp99))
	pf = rmed["put32", "fsync"]
	check("durable PUT c=32 >= 1.0 x raw fdatasync", pf >= 1.0,
	    sprintf("%.2f x (%+.0f%%)", pf, (pf / 1.0 - 1) * 100))
	pe = rmed["put32", "etcd-put"]
	check("durable PUT c=32 >= 1.5 x etcd put", pe >= 1.5,
	    sprintf("%.2f x (%+.0f%%)", pe, (pe / 1.5 - 1) * 100))
	ge = rmed["get", "etcd"]
	check("GET >= 1.0 x etcd get", ge >= 1.0,
	    sprintf("%.2f x (%+.0f%%)", ge, (ge / 1.0 - 1) * 100))
	l10k = median(P50["list10000" SUBSEP "list"])
	check("LIST 10,000 median <= 25 ms", l10k != "" && l10k <= 25,
	    sprintf("%.1f ms (%+.0f%%)", l10k, (l10k / 25 - 1) * 100))
	bd = ENVIRON["BIG_DELTA"] / 1024
	check(sprintf("LIST %d: worker < idle + 32 MiB", ENVIRON["LIST_BIG"]),
	    bd < 32 && ENVIRON["BIG_COUNT"] == ENVIRON["LIST_BIG"],
	    sprintf("+%.1f MiB", bd))
	ir = ENVIRON["IDLE_RSS"] / 1024
	check("worker RSS idle <= 8 MiB", ir <= 8, sprintf("%.1f MiB", ir))
	if (ENVIRON["GROWTH_OK"] == "skip")
		printf "  %-44s %-7s %s\n", "no growth over 1,000,000 requests",
		    "skipped", "(GROWTH=1)"
	else
		check(sprintf("no growth over %d requests (RssAnon)",
		    ENVIRON["GROWTH_REQUESTS"]), ENVIRON["GROWTH_OK"] == "met",
		    ENVIRON["GROWTH_LINE"])
	ag = rmed["get", "catalogd"]
	check("audit: GET >= 0.85 x without", ag >= 0.85,
	    sprintf("%.2f x (%+.0f%%)", ag, (ag / 0.85 - 1) * 100))
	ap = rmed["put32", "catalogd-put"]
	check("audit: durable PUT c=32 >= 0.85 x without", ap >= 0.85,
	    sprintf("%.2f x (%+.0f%%)", ap, (ap / 0.85 - 1) * 100))
	rp = rmed2["repl-put32", "repl-put", "catalogd-put"]
	r503 = "-"
	if (("repl-put32", "repl-put") in counted)
		r503 = s503["repl-put32", "repl-put"]
	check("replicated PUT c=32, active >= 0.5 x single", rp >= 0.5,
	    sprintf("%.2f x (%+.0f%%); 503s %s", rp, (rp / 0.5 - 1) * 100,
	    r503))
	check("no errors (non-2xx, socket errors)", allerrs == 0,
	    sprintf("%d", allerrs))

	printf "\nSUMMARY get/trivial=%.2f get_p99=%.2fms get/etcd=%.2f " \
	    "put32/fsync=%.2f put32/etcd=%.2f list10k_p50=%.1fms " \
	    "list%dk_mem=+%.1fMiB rss_idle=%.1fMiB growth=%s " \
	    "repl_put32/single=%.2f repl_put32_503=%d errors=%d " \
	    "targets_met=%d/%d\n", tr, gp99, ge, pf, pe, l10k,
	    ENVIRON["LIST_BIG"] / 1000, bd, ir,
	    ENVIRON["GROWTH_OK"] == "skip" ? "skipped" : ENVIRON["GROWTH_OK"],
	    rp, s503["repl-put32", "repl-put"], allerrs, met, total
}
