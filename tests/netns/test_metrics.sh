#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Metrics and logs (issue 13) in the namespaces of tests/lib/topology.sh:
# the daemon runs in the edge namespace with `metrics listen` on its
# loopback, and
# - N packets of each of a few classes sent over the veth (UDP admitted
#   by a rule, UDP over a rule's rate limit, UDP the policy drops, UDP
#   from a blocked source) show as exactly N in `edgefw stats --json`,
#   in GET /metrics and in `stats --prometheus`, and in a real
#   Prometheus (started here, scraping every second) through its query
#   API; `promtool check metrics` accepts both outputs;
# - the Grafana dashboard parses, names only metrics that /metrics has,
#   and each of its expressions runs on that Prometheus;
# - `stats --watch 1 --json` adds up to the packets sent, SIGINT ends it;
#   text mode redraws on a terminal, and is plain text on a pipe;
# - the daemon's drop summary adds up to the drops, by reason, in a few
#   lines; its load and reload lines carry the config hash and the
#   generation, and an interface that appears is logged as attached;
# - scrapers that send half a request and stall stop neither other
#   scrapes nor a reload, and are cut off by the connection timeout;
# - `stats --textfile DIR` writes DIR/edgefw.prom whole;
# - a malformed `metrics listen` fails `check` at FILE:LINE:COL, and a
#   port that is taken fails the daemon's start naming the line, before
#   anything is loaded.
#
# Environment: as the other namespace suites (tests/lib/traffic.sh).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/traffic.sh
. tests/lib/traffic.sh
# shellcheck source=tests/lib/brokenlib.sh
. tests/lib/brokenlib.sh

EDGEFW=${EDGEFW:-$top/build/edgefw}
PREFIX=${EDGEFW_TEST_PREFIX:-efmx-$$-}
LISTENER_LIFETIME=300
METRICS_PORT=9464 # on the edge namespace's own loopback
PROM_PORT=9090
SUMMARY_SECS=2
MHD_TIMEOUT_S=10 # user/daemon/metrics_http.c: CONNECTION_TIMEOUT_S
DASHBOARD=contrib/grafana/edgefw.json
WORK=''
DAEMON_PID=''
MONITOR_PID=''
PROM_PID=''
HUNG_PIDS=()
SILENT_PID=''

# The packets of each class.
N_OK=20      # partner -> udp 7001: rule udp-ok
N_LIM=12     # partner -> udp 7000: rule udp-lim, burst 3, the rest ratelimit
LIM_BURST=3
N_LIM2=8     # partner -> udp 7002: rule udp-lim2, burst 2 in all, the rest ratelimit
LIM2_BURST=2
LIMITED=$((N_LIM - LIM_BURST + N_LIM2 - LIM2_BURST)) # every ratelimit drop
N_POLICY=15  # non-partner (IPv6) -> udp 9999: drop policy
N_BLOCKED=10 # blocked non-partner (IPv4) -> udp 7001: drop blocked
# The summary's top sources: three non-partners dropped by policy, in
# rounds of 3, 2 and 1 datagrams; every drop sampled (the sample burst
# holds them all), so the sampled counts are exact.
SOURCES=(192.0.2.70 192.0.2.71 192.0.2.72)
SOURCE_ROUNDS=10
SAMPLE_BURST=1000

# Suites of other worktrees may run beside this one: the pin directory
# tests/run.sh names after the suite gets this run's pid too.
[ -z "${EDGEFW_PIN_DIR:-}" ] || EDGEFW_PIN_DIR=$EDGEFW_PIN_DIR-$$
traffic_use_private_directories metrics

cleanup() {
	local pid
	for pid in "${HUNG_PIDS[@]}" "$MONITOR_PID" "$PROM_PID" "$DAEMON_PID"; do
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	done
	for pid in "${HUNG_PIDS[@]}" "$MONITOR_PID" "$PROM_PID" "$DAEMON_PID"; do
		[ -n "$pid" ] && wait "$pid" 2>/dev/null
	done
	traffic_cleanup
	[ -z "$WORK" ] || rm -rf "$WORK"
}
run_cleanup_on_exit cleanup

require_traffic_tools nc socat jq nsenter ss curl promtool prometheus python3 script
require_free_pin_directory
WORK=$(mktemp -d /tmp/edgefw-metrics.XXXXXX) || tap_bail "cannot create a work directory"

CONF=$WORK/metrics.conf
cat >"$CONF" <<EOF
interface ext0 role external
interface ext1 role external
interface int0 role internal address $TOPO_EDGE_INT4
set partners { 203.0.113.0/24, 2001:db8:77::/48, domain xmpp.invalid }
rule udp-ok  external in udp 7001 from partners to self
rule udp-lim external in udp 7000 from partners to self limit 1/m burst $LIM_BURST per source
rule udp-lim2 external in udp 7002 from partners to self limit 1/m burst $LIM2_BURST total
rule s2s-in  external in tcp 5269 from partners to self
policy external in  drop
policy external out pass
policy internal in  drop
policy internal out pass
events rate 1000/s burst 1000 sample 1000/s burst $SAMPLE_BURST
metrics listen 127.0.0.1:$METRICS_PORT
EOF
METRICS_LINE=$(grep -n '^metrics listen' "$CONF" | cut -d: -f1)
CONF_HASH=$(sha256sum "$CONF" | cut -c1-12)

# ---------------------------------------------------------------------------
# Helpers

# edge_bg COMMAND...: COMMAND in the background in the edge namespace;
# BG_PID is its own pid (nsenter runs it in its place), to signal it.
BG_PID=''
edge_bg() {
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" "$@" &
	BG_PID=$!
}

# GET /metrics from inside the edge namespace; at most 5 s.
scrape() {
	edge curl -sS -m 5 "http://127.0.0.1:$METRICS_PORT/metrics"
}

scrape_ok() {
	scrape >/dev/null 2>&1
}

# The value of the one sample of TEXT whose name and labels match
# SELECTOR (an ERE over the sample line, without the value); "missing"
# when there is not exactly one.
sample_of() { # TEXT SELECTOR
	local lines
	lines=$(grep -E "^$2 [0-9]+$" <<<"$1")
	if [ -n "$lines" ] && [ "$(grep -c . <<<"$lines")" -eq 1 ]; then
		echo "${lines##* }"
	else
		echo missing
	fi
}

# The selector of edgefw_packets_total on ext0 in for a verdict, a reason
# and a rule ("" for none).
packets_sel() { # VERDICT REASON RULE
	echo "edgefw_packets_total\{interface=\"ext0\",role=\"external\",direction=\"in\",verdict=\"$1\",reason=\"$2\",rule=\"$3\"\}"
}

generation() {
	edge "$EDGEFW" status --json 2>/dev/null | jq -r .generation 2>/dev/null
}

generation_is() { # N
	[ "$(generation)" = "$1" ]
}

# send_udp ROLE SRC DST PORT N: exactly N datagrams, 2 ms apart.
send_udp() {
	in_ns "$PREFIX" "$1" python3 -c '
import socket, sys, time
src, dst, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.bind((src, 0))
for _ in range(n):
    s.sendto(b"edgefw metrics test", (dst, port))
    time.sleep(0.002)
' "$2" "$3" "$4" "$5"
}

# A scraper that connects, sends half a request and stalls; it prints the
# seconds until the server closed the connection (or "open" after 30 s).
start_hung_scraper() {
	edge_bg python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /metr")
t0 = time.monotonic()
s.settimeout(30)
try:
    while s.recv(4096):
        pass
    print("%.1f" % (time.monotonic() - t0))
except socket.timeout:
    print("open")
 ' "$METRICS_PORT" >"$WORK/hung.$1" 2>&1
	HUNG_PIDS+=("$BG_PID")
}

prom_query() { # PROMQL: the first result's value, "" if none
	edge curl -sS -m 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode "query=$1" 2>/dev/null |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}

prom_query_is() { # PROMQL VALUE
	[ "$(prom_query "$1")" = "$2" ]
}

# ===========================================================================

topology_up "$PREFIX" || tap_bail "cannot build the namespace topology"
tap_diag "topology $(topology_ns "$PREFIX" '{edge,inet,lan}'), pins $EDGEFW_PIN_DIR, work $WORK"

# --- A malformed address: check fails at FILE:LINE:COL. ---
test_malformed() {
	local bad out rc
	while IFS='|' read -r bad col want; do
		sed "s/^metrics listen .*/metrics listen $bad/" "$CONF" >"$WORK/bad.conf"
		out=$("$EDGEFW" check -c "$WORK/bad.conf" 2>&1)
		rc=$?
		check_eq "malformed 'metrics listen $bad': check exits 2" "$rc" 2
		check_match "  ...and says where: FILE:$METRICS_LINE:$col, $want" "$out" \
			"^$WORK/bad.conf:$METRICS_LINE:$col: metrics listen: .*$want"
	done <<-EOF
		127.0.0.1|16|has no port
		::1:9464|16|an IPv6 address goes in brackets
		localhost:9464|16|'localhost' is not an IPv4 or IPv6 address
		127.0.0.1:65536|16|port '65536' is not a number from 1 to 65535
		[127.0.0.1]:9464|16|in brackets is not an IPv6 address
	EOF
	check "the good config checks" -- "$EDGEFW" check -c "$CONF"
}

# --- A taken port: the daemon's start fails naming the line; nothing loads. ---
test_taken_port() {
	local pid out rc
	edge_bg socat "TCP4-LISTEN:$METRICS_PORT,bind=127.0.0.1,reuseaddr,fork" /dev/null
	pid=$BG_PID
	if ! wait_for 30 edge sh -c "ss -Hltn 'sport = :$METRICS_PORT' | grep -q ."; then
		tap_result 1 "a listener of another program holds 127.0.0.1:$METRICS_PORT"
	fi
	out=$(edge timeout 20 "$EDGEFW" daemon -c "$CONF" 2>&1)
	rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	check_eq "metrics port taken: the daemon exits 1" "$rc" 1
	check_match "  ...naming FILE:LINE:COL, the address and why" "$out" \
		"$CONF:$METRICS_LINE:16: metrics listen 127.0.0.1:$METRICS_PORT: cannot listen there: Address already in use"
	check "  ...before anything was loaded (no state, no pins)" -- \
		test ! -e "$EDGEFW_RUN_DIR/state.json" -a ! -e "$EDGEFW_PIN_DIR"
}

# --- libmicrohttpd that cannot be loaded: the start fails saying so. ---
test_broken_library() {
	local out rc
	broken_library "$WORK/brokenlib" libmicrohttpd.so.12
	out=$(edge env LD_LIBRARY_PATH="$WORK/brokenlib" timeout 20 "$EDGEFW" daemon -c "$CONF" 2>&1)
	rc=$?
	check_eq "libmicrohttpd without its functions: the daemon exits 1" "$rc" 1
	check_match "  ...naming the address, the library and why" "$out" \
		"cannot serve metrics on 127.0.0.1:$METRICS_PORT: cannot load libmicrohttpd.so.12: it has no MHD_start_daemon"
	check "  ...before anything was loaded (no state, no pins)" -- \
		test ! -e "$EDGEFW_RUN_DIR/state.json" -a ! -e "$EDGEFW_PIN_DIR"
}

start_daemon() {
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" \
		env EDGEFW_SUMMARY_SECS=$SUMMARY_SECS \
		"$EDGEFW" daemon -c "$CONF" >>"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	LOAD_TRIED=1
}

start_prometheus() {
	mkdir -p "$WORK/prometheus"
	cat >"$WORK/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		  evaluation_interval: 1s
		scrape_configs:
		  - job_name: edgefw
		    static_configs:
		      - targets: ['127.0.0.1:$METRICS_PORT']
	EOF
	nsenter --net="/run/netns/$(topology_ns "$PREFIX" edge)" \
		prometheus --config.file="$WORK/prometheus.yml" \
		--storage.tsdb.path="$WORK/prometheus" \
		--storage.tsdb.retention.time=1h \
		--web.listen-address="127.0.0.1:$PROM_PORT" \
		>"$WORK/prometheus.log" 2>&1 &
	PROM_PID=$!
}

test_malformed
test_taken_port
test_broken_library

# --- The daemon, with metrics on the edge's loopback. ---
start_daemon
check "the daemon serves /metrics on 127.0.0.1:$METRICS_PORT within 30 s" -- \
	wait_for 30 scrape_ok
start_prometheus
# /metrics answers from before the load (edgefw_loaded 0) to after it
loaded_scraped() { [ "$(sample_of "$(scrape 2>/dev/null)" edgefw_loaded)" = 1 ]; }
check "/metrics: edgefw_loaded 1 once the daemon has loaded (within 30 s)" -- \
	wait_for 30 loaded_scraped
m=$(scrape)
check_eq "/metrics: generation 1" "$(sample_of "$m" edgefw_generation)" 1
check_eq "/metrics: ext1, missing, waiting" \
	"$(sample_of "$m" 'edgefw_xdp_mode\{interface="ext1",mode="waiting"\}')" 1
check_match "the log: loaded, with the config hash, generation and attachments" \
	"$(cat "$WORK/daemon.log")" \
	"loaded $CONF \(sha256 $CONF_HASH, enforce mode, generation 1\): ext0 (native|generic), ext1 waiting, int0 (native|generic)"
check_match "the log: where the metrics are" "$(cat "$WORK/daemon.log")" \
	"serving metrics on http://127.0.0.1:$METRICS_PORT/metrics"

# The config's partner domain is under invalid. (RFC 6761), never
# resolved: its resolution fails at once, without a DNS server in this
# suite, and the per-domain partner metrics have samples.
partner_failed() {
	[ "$(sample_of "$(scrape 2>/dev/null)" \
		'edgefw_partner_resolve_failures_total\{set="partners",domain="xmpp.invalid",cause="special_use"\}')" -ge 1 ] 2>/dev/null
}
check "/metrics: the daemon's failed resolution of xmpp.invalid, cause special_use (within 15 s)" -- \
	wait_for 15 partner_failed
m=$(scrape)
check_eq "/metrics: xmpp.invalid puts no address into partners" \
	"$(sample_of "$m" 'edgefw_partner_addresses\{set="partners",domain="xmpp.invalid"\}')" 0
check_eq "/metrics: ... and its DNSSEC status is unknown (never resolved)" \
	"$(sample_of "$m" 'edgefw_partner_dnssec\{set="partners",domain="xmpp.invalid",status="unknown"\}')" 1

# --- promtool accepts both outputs. ---
scrape >"$WORK/scrape.prom"
check "promtool check metrics: /metrics" -- \
	sh -c "promtool check metrics <'$WORK/scrape.prom' 2>&1 | (! grep .)"
edge "$EDGEFW" stats --prometheus >"$WORK/cli.prom"
check "promtool check metrics: stats --prometheus" -- \
	sh -c "promtool check metrics <'$WORK/cli.prom' 2>&1 | (! grep .)"
check_eq "stats --prometheus has the same metrics as /metrics" \
	"$(grep '^# TYPE' "$WORK/cli.prom" | sort)" \
	"$(grep '^# TYPE' "$WORK/scrape.prom" | sort)"

# --- N packets of each class, counted exactly. ---
edge_bg "$EDGEFW" stats --watch 1 --json >"$WORK/watch.json" 2>"$WORK/watch.err"
watch_pid=$BG_PID
sleep 1.3
counters_before
m_before=$(scrape)
send_udp inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 7001 $N_OK
send_udp inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 7000 $N_LIM
send_udp inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 7002 $N_LIM2
send_udp inet "$TOPO_STRANGER6" "$TOPO_EDGE_EXT6" 9999 $N_POLICY
edge "$EDGEFW" block add "$TOPO_STRANGER4" --reason "metrics test" >/dev/null 2>&1 ||
	tap_result 1 "edgefw block add $TOPO_STRANGER4"
send_udp inet "$TOPO_STRANGER4" "$TOPO_EDGE_EXT4" 7001 $N_BLOCKED
sleep 0.3 # the last datagrams are through the veth
counters_after
m_after=$(scrape)
sends_done_ms=$(now_ms)

delta_json() { counter_delta ext0 in "$@"; }
delta_metric() { # SELECTOR
	local a b
	a=$(sample_of "$m_before" "$1")
	b=$(sample_of "$m_after" "$1")
	if [ "$a" = missing ] || [ "$b" = missing ]; then echo missing; else echo $((b - a)); fi
}
check_eq "stats --json: rule udp-ok counted $N_OK" "$(delta_json rules udp-ok)" $N_OK
check_eq "stats --json: rule udp-lim counted its burst, $LIM_BURST" "$(delta_json rules udp-lim)" $LIM_BURST
check_eq "stats --json: drop ratelimit $LIMITED, both rules'" "$(delta_json drop ratelimit)" $LIMITED
check_eq "stats --json: ratelimited by udp-lim $((N_LIM - LIM_BURST))" \
	"$(delta_json ratelimited udp-lim)" $((N_LIM - LIM_BURST))
check_eq "stats --json: ratelimited by udp-lim2 $((N_LIM2 - LIM2_BURST))" \
	"$(delta_json ratelimited udp-lim2)" $((N_LIM2 - LIM2_BURST))
check_eq "stats --json: drop policy $N_POLICY" "$(delta_json drop policy)" $N_POLICY
check_eq "stats --json: drop blocked $N_BLOCKED" "$(delta_json drop blocked)" $N_BLOCKED
check_eq "/metrics: rule udp-ok $N_OK" "$(delta_metric "$(packets_sel pass rule udp-ok)")" $N_OK
check_eq "/metrics: rule udp-lim $LIM_BURST" "$(delta_metric "$(packets_sel pass rule udp-lim)")" $LIM_BURST
check_eq "/metrics: drop ratelimit $LIMITED" \
	"$(delta_metric "$(packets_sel drop ratelimit '')")" $LIMITED
check_eq "/metrics: edgefw_ratelimited_total of rule udp-lim $((N_LIM - LIM_BURST))" \
	"$(delta_metric 'edgefw_ratelimited_total\{interface="ext0",direction="in",rule="udp-lim"\}')" \
	$((N_LIM - LIM_BURST))
check_eq "/metrics: edgefw_ratelimited_total of rule udp-lim2 $((N_LIM2 - LIM2_BURST))" \
	"$(delta_metric 'edgefw_ratelimited_total\{interface="ext0",direction="in",rule="udp-lim2"\}')" \
	$((N_LIM2 - LIM2_BURST))
check_eq "/metrics: drop policy $N_POLICY" "$(delta_metric "$(packets_sel drop policy '')")" $N_POLICY
check_eq "/metrics: drop blocked $N_BLOCKED" "$(delta_metric "$(packets_sel drop blocked '')")" $N_BLOCKED
check_eq "/metrics: edgefw_blocked_total $N_BLOCKED" \
	"$(delta_metric 'edgefw_blocked_total\{interface="ext0"\}')" $N_BLOCKED
check_eq "/metrics: edgefw_blocklist_entries 1" "$(sample_of "$m_after" edgefw_blocklist_entries)" 1
check_eq "/metrics: udp-ok's bytes are stats --json's" \
	"$(delta_metric 'edgefw_bytes_total\{interface="ext0",role="external",direction="in",verdict="pass",reason="rule",rule="udp-ok"\}')" \
	"$(($(jq '.interfaces[0].in.rules["udp-ok"].bytes' <<<"$STATS_AFTER") - $(jq '.interfaces[0].in.rules["udp-ok"].bytes' <<<"$STATS_BEFORE")))"
check_eq "/metrics: edgefw_set_prefixes of partners: 1 IPv4" \
	"$(sample_of "$m_after" 'edgefw_set_prefixes\{set="partners",family="ipv4"\}')" 1
check_eq "/metrics: edgefw_set_prefixes of partners: 1 IPv6" \
	"$(sample_of "$m_after" 'edgefw_set_prefixes\{set="partners",family="ipv6"\}')" 1
edge "$EDGEFW" set add partners 198.51.100.0/24 198.51.101.0/24 2001:db8:99::/48 >/dev/null 2>&1 ||
	tap_result 1 "edgefw set add partners"
m=$(scrape)
check_eq "  ...after set add of 2 IPv4 and 1 IPv6 prefixes: 3 IPv4" \
	"$(sample_of "$m" 'edgefw_set_prefixes\{set="partners",family="ipv4"\}')" 3
check_eq "  ...and 2 IPv6" \
	"$(sample_of "$m" 'edgefw_set_prefixes\{set="partners",family="ipv6"\}')" 2
# the flows that udp-ok and udp-lim opened, as the kernel's table has them
flows_in_kernel() { # FAMILY: 4 or 6
	bpftool -j map dump pinned "$EDGEFW_PIN_DIR/flows$1" 2>/dev/null | jq length
}
flows_metric_is_kernels() {
	local m4 m6
	m4=$(sample_of "$(scrape)" 'edgefw_flows\{family="ipv4"\}')
	m6=$(sample_of "$(scrape)" 'edgefw_flows\{family="ipv6"\}')
	[ "$m4" = "$(flows_in_kernel 4)" ] && [ "$m6" = "$(flows_in_kernel 6)" ] && [ "$m4" -ge 2 ]
}
check "/metrics: edgefw_flows{family} is what the flow tables hold (>= 2 IPv4: udp-ok's and udp-lim's)" -- \
	wait_for 30 flows_metric_is_kernels
tap_diag "flows: ipv4 $(flows_in_kernel 4), ipv6 $(flows_in_kernel 6)"
m=$(scrape)
check_eq "/metrics: edgefw_flow_filter_ready is 1 under a load" \
	"$(sample_of "$m" 'edgefw_flow_filter_ready')" 1
check_eq "/metrics: edgefw_flow_filter_entries: 2^22 a half for 262,144 flows" \
	"$(sample_of "$m" 'edgefw_flow_filter_entries')" 4194304
check "/metrics: edgefw_flow_filter_entries_set{family=\"ipv4\"}: two bits a flow at most, at least one ($(sample_of "$m" 'edgefw_flow_filter_entries_set\{family="ipv4"\}') for $(flows_in_kernel 4) flows)" -- \
	test "$(sample_of "$m" 'edgefw_flow_filter_entries_set\{family="ipv4"\}')" -ge 1 -a \
	"$(sample_of "$m" 'edgefw_flow_filter_entries_set\{family="ipv4"\}')" -le "$((2 * $(flows_in_kernel 4)))"
edge "$EDGEFW" stats --prometheus >"$WORK/cli.prom"
check_eq "stats --prometheus: rule udp-ok as /metrics has it" \
	"$(sample_of "$(cat "$WORK/cli.prom")" "$(packets_sel pass rule udp-ok)")" \
	"$(sample_of "$m_after" "$(packets_sel pass rule udp-ok)")"

# --- stats --watch 1 --json: the rates add up to what was sent. ---
sleep 1.2 # an interval after the last packet
kill -INT "$watch_pid"
wait "$watch_pid"
rc=$?
check_eq "stats --watch: SIGINT ends it, exit 0" "$rc" 0
check "  ...one JSON object a line, at least 2" -- \
	sh -c "[ \$(jq -c 'select(.interfaces)' <'$WORK/watch.json' | wc -l) -ge 2 ]"
check_eq "  ...their pps x seconds of rule udp-ok add up to $N_OK" \
	"$(jq -s '[.[] | select(.interfaces) | .seconds as $s | .interfaces[] | select(.name == "ext0") | .in.rules["udp-ok"].pps * $s] | add | round' \
		"$WORK/watch.json" 2>&1)" $N_OK
check_eq "  ...and drop policy's to $N_POLICY" \
	"$(jq -s '[.[] | select(.interfaces) | .seconds as $s | .interfaces[] | select(.name == "ext0") | .in.drop.policy.pps * $s] | add | round' \
		"$WORK/watch.json" 2>&1)" $N_POLICY
check_eq "  ...and bps x seconds / 8 of udp-ok to its bytes" \
	"$(jq -s '[.[] | select(.interfaces) | .seconds as $s | .interfaces[] | select(.name == "ext0") | .in.rules["udp-ok"].bps * $s / 8] | add | round' \
		"$WORK/watch.json" 2>&1)" \
	"$(($(jq '.interfaces[0].in.rules["udp-ok"].bytes' <<<"$STATS_AFTER") - $(jq '.interfaces[0].in.rules["udp-ok"].bytes' <<<"$STATS_BEFORE")))"

# --foreground: timeout otherwise sends SIGCONT after the SIGINT, and a
# SIGCONT that comes while LeakSanitizer stops the exiting edgefw (the
# sanitizer build) cancels the stop it waits for: both hang (seen once).
out=$(edge timeout --foreground -k 10 -s INT 5 "$EDGEFW" stats --watch 1 2>&1)
check_match "stats --watch on a pipe: plain text blocks" "$out" "rates over 1\.[0-9] s, generation 1"
no_escapes() { ! grep -q $'\033' <<<"$out"; }
check "  ...without terminal escapes" -- no_escapes
out=$(edge timeout -s INT 5 script -qec "$EDGEFW stats --watch 1" /dev/null 2>&1)
check_match "stats --watch on a terminal: redrawn in place" "$out" $'\033\\[H\033\\[J'
check_match "  ...and says Ctrl-C ends it" "$out" "Ctrl-C ends"

# --- A real Prometheus scrapes the daemon and answers the same. ---
check "prometheus: the edgefw target is up within 30 s" -- \
	wait_for 30 prom_query_is 'up{job="edgefw"}' 1
check "prometheus: rule udp-ok is $N_OK" -- wait_for 30 prom_query_is \
	'edgefw_packets_total{interface="ext0",direction="in",reason="rule",rule="udp-ok"}' $N_OK
check "prometheus: edgefw_ratelimited_total of udp-lim is $((N_LIM - LIM_BURST))" -- wait_for 30 prom_query_is \
	'edgefw_ratelimited_total{interface="ext0",direction="in",rule="udp-lim"}' $((N_LIM - LIM_BURST))
check "prometheus: edgefw_blocked_total is $N_BLOCKED" -- wait_for 30 prom_query_is \
	'edgefw_blocked_total{interface="ext0"}' $N_BLOCKED

# --- The dashboard: JSON, metrics that exist, expressions that run. ---
check "dashboard: $DASHBOARD parses as JSON" -- jq -e .panels "$DASHBOARD"
exprs=$(jq -r '[.. | objects | (.expr?, (.query? | if type == "object" then .query else . end)) | strings] | .[]' \
	"$DASHBOARD" 2>/dev/null | grep edgefw_)
names=$(grep -oE 'edgefw_[a-z0-9_]+' <<<"$exprs" | sort -u)
check "dashboard: its expressions name metrics ($(wc -w <<<"$names"))" -- test "$(wc -w <<<"$names")" -ge 10
missing=''
for n in $names; do
	grep -qE "^$n(\{| )" "$WORK/scrape.prom" || missing+=" $n"
done
check_eq "dashboard: every metric it names is in /metrics" "$missing" ""
bad=''
while IFS= read -r e; do
	case $e in label_values*) continue ;; esac
	q=${e//\$__rate_interval/1m}
	q=${q//\$instance/.*}
	status=$(edge curl -sS -m 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode "query=$q" 2>/dev/null | jq -r .status 2>/dev/null)
	[ "$status" = success ] || bad+=" [$q: ${status:-no answer}]"
done <<<"$exprs"
check_eq "dashboard: each expression runs on Prometheus" "$bad" ""

# --- The drop summary: a few lines that add up to the drops. ---
summary_sum() { # REASON: ext0 in's count of REASON over every summary line
	grep -o 'dropped in the last .*' "$WORK/daemon.log" |
		grep -oE "ext0 in [0-9]+ \([^)]*\)" |
		grep -oE "(^|\(| )$1 [0-9]+" | grep -oE '[0-9]+$' |
		awk '{ s += $1 } END { print s + 0 }'
}
summary_complete() {
	[ "$(summary_sum blocked)" -ge $N_BLOCKED ] && [ "$(summary_sum ratelimit)" -ge $LIMITED ]
}
check "summary: the drops are logged within 30 s" -- \
	wait_for 30 summary_complete
check_eq "summary: drop policy adds up to $N_POLICY" "$(summary_sum policy)" $N_POLICY
check_eq "summary: ratelimit adds up to $LIMITED" "$(summary_sum ratelimit)" $LIMITED
check_eq "summary: blocked adds up to $N_BLOCKED" "$(summary_sum blocked)" $N_BLOCKED
summary_rule_sum() { # RULE: its rate-limit drops over every summary line
	grep -o 'dropped in the last .*' "$WORK/daemon.log" | grep -oE "ratelimit [0-9]+ \[[^]]*\]" |
		grep -oE "(\[| )$1 [0-9]+" | grep -oE '[0-9]+$' | awk '{ s += $1 } END { print s + 0 }'
}
check_eq "summary: its ratelimit drops name rule udp-lim, $((N_LIM - LIM_BURST))" \
	"$(summary_rule_sum udp-lim)" $((N_LIM - LIM_BURST))
check_eq "summary: and rule udp-lim2, $((N_LIM2 - LIM2_BURST))" \
	"$(summary_rule_sum udp-lim2)" $((N_LIM2 - LIM2_BURST))
lines=$(grep -c 'dropped in the last' "$WORK/daemon.log")
check "summary: few lines, not one a packet ($lines lines for $((N_POLICY + LIMITED + N_BLOCKED)) drops)" -- \
	test "$lines" -le 4

# --- The summary's top sources, sampled, while edgefw monitor reads too. ---
# The leases as the data plane sees them: FIELD set when non-zero.
lease_set() { # listen_until_ns|sample_until_ns
	local v
	v=$(bpftool -j map dump pinned "$EDGEFW_PIN_DIR/events_ctl" 2>/dev/null |
		jq -r ".[0].formatted.value.$1 // .[0].value.$1 // 0")
	[ "${v:-0}" != 0 ]
}
check "the daemon holds the sampler's lease" -- wait_for 30 lease_set sample_until_ns
for a in "${SOURCES[@]}"; do
	in_ns "$PREFIX" inet ip addr add "$a/32" dev to-edge
done
edge_bg "$EDGEFW" monitor --json --reason policy >"$WORK/monitor.json" 2>"$WORK/monitor.err"
MONITOR_PID=$BG_PID
check "edgefw monitor holds its lease beside the daemon's" -- wait_for 30 lease_set listen_until_ns
# rounds of 3, 2 and 1 datagrams from the three sources to udp 9999
in_ns "$PREFIX" inet python3 -c '
import socket, sys, time
dst, rounds, srcs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
socks = []
for src in srcs:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    socks.append(s)
for _ in range(rounds):
    for i, s in enumerate(socks):
        for _ in range(len(socks) - i):
            s.sendto(b"edgefw sources test", (dst, 9999))
            time.sleep(0.002)
' "$TOPO_EDGE_EXT4" $SOURCE_ROUNDS "${SOURCES[@]}"
source_sum() { # ADDR: its sampled policy drops over every summary line
	grep -o 'sampled sources .*' "$WORK/daemon.log" |
		grep -oE "(policy|,) $1 [0-9]+" | grep -oE '[0-9]+$' |
		awk '{ s += $1 } END { print s + 0 }'
}
sources_complete() {
	[ "$(source_sum "${SOURCES[2]}")" -ge $SOURCE_ROUNDS ] &&
		[ "$(source_sum "${SOURCES[0]}")" -ge $((3 * SOURCE_ROUNDS)) ]
}
check "summary: the sampled sources are logged within 30 s" -- wait_for 30 sources_complete
for i in 0 1 2; do
	check_eq "summary: ${SOURCES[$i]}'s sampled policy drops add up to $(((3 - i) * SOURCE_ROUNDS))" \
		"$(source_sum "${SOURCES[$i]}")" $(((3 - i) * SOURCE_ROUNDS))
done
# each line's policy sources: "policy A N, B M, ..." -> "A N" lines
policy_lists=$(grep -o 'sampled sources .*' "$WORK/daemon.log" |
	grep -oE ': policy [^;]*|; policy [^;]*' | sed -E 's/^[:;] policy //')
ordered=yes
while IFS= read -r list; do
	[ -n "$list" ] || continue
	tr ',' '\n' <<<"$list" | awk '{ print $2 }' | sort -rnc 2>/dev/null || ordered="no: $list"
done <<<"$policy_lists"
check_eq "summary: each line names its sources most samples first" "$ordered" yes
check_match "summary: a line names the three, in order of count, marked as sampled" \
	"$(grep -o 'dropped in the last .*' "$WORK/daemon.log")" \
	"; sampled sources \([0-9]+ samples\): .*policy ${SOURCES[0]} [0-9]+, ${SOURCES[1]} [0-9]+, ${SOURCES[2]} [0-9]+"
monitor_saw() { # ADDR N: monitor --json printed N events from ADDR
	[ "$(jq -r 'select(.src? == "'"$1"'") | .src' "$WORK/monitor.json" 2>/dev/null | grep -c .)" -ge "$2" ]
}
check "edgefw monitor, reading at the same time, sees ${SOURCES[0]}'s $((3 * SOURCE_ROUNDS)) drops" -- \
	wait_for 30 monitor_saw "${SOURCES[0]}" $((3 * SOURCE_ROUNDS))
check "  ...and ${SOURCES[2]}'s $SOURCE_ROUNDS" -- monitor_saw "${SOURCES[2]}" $SOURCE_ROUNDS
kill -INT "$MONITOR_PID" 2>/dev/null
wait "$MONITOR_PID" 2>/dev/null
MONITOR_PID=""
monitor_gone() { ! lease_set listen_until_ns && lease_set sample_until_ns; }
check "  ...then it ends and its lease is cleared, the daemon's kept" -- wait_for 10 monitor_gone

# --- Hung scrapers hold up neither scrapes nor a reload. ---
for i in 1 2 3; do start_hung_scraper $i; done
# and one that connects and sends nothing at all
edge_bg nc -d 127.0.0.1 "$METRICS_PORT"
SILENT_PID=$BG_PID
HUNG_PIDS+=("$SILENT_PID")
stalled_connections() { # at least N of ours established to the metrics port
	[ "$(edge ss -Htnp state established "dport = :$METRICS_PORT" |
		grep -cE 'users:\(\("(python3|nc)"')" -ge "$1" ]
}
check "4 stalled scrapers are connected" -- wait_for 30 stalled_connections 4
ok=0
for i in 1 2 3 4 5; do scrape_ok && ok=$((ok + 1)); done
check_eq "4 scrapers stalled (3 mid-request, 1 silent): 5 other scrapes answer" "$ok" 5
kill -HUP "$DAEMON_PID"
check "  ...and SIGHUP reloads: generation 2 within 30 s" -- wait_for 30 generation_is 2
check_match "the log: the reload, with the config hash and generation" "$(cat "$WORK/daemon.log")" \
	"reloaded $CONF \(sha256 $CONF_HASH, generation 2\): the config file was reloaded"
m=$(scrape)
check_eq "/metrics after the reload: generation 2" "$(sample_of "$m" edgefw_generation)" 2
check_eq "/metrics: edgefw_reloads_total{result=\"success\"} 1" \
	"$(sample_of "$m" 'edgefw_reloads_total\{result="success"\}')" 1
check_eq "/metrics: a reload starts the counters afresh" \
	"$(sample_of "$m" "$(packets_sel pass rule udp-ok)")" 0
send_udp inet "$TOPO_PARTNER4" "$TOPO_EDGE_EXT4" 7001 5
check_eq "while they stall, the filter counts 5 more of udp-ok and /metrics shows them" \
	"$(sample_of "$(scrape)" "$(packets_sel pass rule udp-ok)")" 5
check "  ...and the stalled scrapers are still connected" -- stalled_connections 4

# --- An interface that appears: attached, logged with its generation. ---
ns_edge=$(topology_ns "$PREFIX" edge)
ip -n "$ns_edge" link add ext1 type veth peer name to-edge1 netns "$(topology_ns "$PREFIX" inet)"
ip -n "$ns_edge" link set ext1 up
check "ext1 created: generation 3 within 30 s" -- wait_for 30 generation_is 3
check_match "the log: ext1 attached, with the hash and generation" "$(cat "$WORK/daemon.log")" \
	"reloaded $CONF \(sha256 $CONF_HASH, generation 3\): ext1 appeared; attached ext1 \((native|generic)\)"
check_eq "/metrics: ext1 no longer waiting" \
	"$(sample_of "$(scrape)" 'edgefw_xdp_mode\{interface="ext1",mode="waiting"\}')" 0
check "prometheus: sees the 2 reloads" -- wait_for 30 prom_query_is \
	'edgefw_reloads_total{result="success"}' 2

# --- A reload that fails: counted, and what runs stays. ---
cp "$CONF" "$WORK/good.conf"
echo "rule broken external in tcp 99999" >>"$CONF"
kill -HUP "$DAEMON_PID"
failed_reload_scraped() {
	[ "$(sample_of "$(scrape)" 'edgefw_reloads_total\{result="failure"\}')" = 1 ]
}
check "SIGHUP with a broken config: edgefw_reloads_total{result=\"failure\"} 1 within 30 s" -- \
	wait_for 30 failed_reload_scraped
check_eq "  ...and generation 3 keeps running" "$(sample_of "$(scrape)" edgefw_generation)" 3
check_match "  ...the log names the line and says what runs stays" "$(cat "$WORK/daemon.log")" \
	"$CONF:[0-9]+:[0-9]+: .*99999.*"
cp "$WORK/good.conf" "$CONF"

# --- The CLI's reloads count too (state.json), in /metrics and stats. ---
reloads_of() { # RESULT: edgefw_reloads_total{result=RESULT}, /metrics and CLI
	echo "$(sample_of "$(scrape)" "edgefw_reloads_total\\{result=\"$1\"\\}")" \
		"$(sample_of "$(edge "$EDGEFW" stats --prometheus)" "edgefw_reloads_total\\{result=\"$1\"\\}")"
}
ts_before=$(sample_of "$(scrape)" edgefw_last_reload_timestamp_seconds)
check "edgefw reload (the CLI): exits 0" -- edge "$EDGEFW" reload
check_eq "  ...edgefw_reloads_total{result=\"success\"} 3 in /metrics and stats --prometheus" \
	"$(reloads_of success)" "3 3"
check_eq "  ...generation 4" "$(sample_of "$(scrape)" edgefw_generation)" 4
check "  ...edgefw_last_reload_timestamp_seconds did not go back" -- \
	test "$(sample_of "$(scrape)" edgefw_last_reload_timestamp_seconds)" -ge "$ts_before"
echo "rule broken external in tcp 99999" >"$WORK/broken.conf"
! edge "$EDGEFW" reload -c "$WORK/broken.conf" 2>"$WORK/broken.err"
check_eq "edgefw reload -c a broken config (the CLI): fails" "$?" 0
check_match "  ...naming the line" "$(cat "$WORK/broken.err")" "broken.conf:1:[0-9]+: .*99999"
check_eq "  ...edgefw_reloads_total{result=\"failure\"} 2 in /metrics and stats --prometheus" \
	"$(reloads_of failure)" "2 2"
check_eq "  ...and success stays 3" "$(reloads_of success)" "3 3"

# --- stats --textfile DIR ---
mkdir -p "$WORK/textfile"
check "stats --textfile: exits 0" -- edge "$EDGEFW" stats --textfile "$WORK/textfile"
check_eq "  ...writes edgefw.prom alone, readable by node_exporter (0644)" \
	"$(cd "$WORK/textfile" && stat -c '%n %a' ./*)" "./edgefw.prom 644"
check "  ...which promtool accepts" -- \
	sh -c "promtool check metrics <'$WORK/textfile/edgefw.prom' 2>&1 | (! grep .)"
check_match "  ...with generation 4" "$(cat "$WORK/textfile/edgefw.prom")" "^edgefw_generation 4$"
out=$(edge "$EDGEFW" stats --textfile "$WORK/nowhere" 2>&1)
check_eq "stats --textfile into a missing directory: exit 1" "$?" 1
check_match "  ...saying so" "$out" "cannot write $WORK/nowhere/edgefw.prom"
out=$(edge "$EDGEFW" stats --json --prometheus 2>&1)
check_eq "stats --json --prometheus: exit 2" "$?" 2
out=$(edge "$EDGEFW" stats --watch 0 2>&1)
check_eq "stats --watch 0: exit 2" "$?" 2

# --- The stalled scrapers were cut off by the connection timeout. ---
closed() { ! kill -0 "$1" 2>/dev/null; }
for i in 1 2 3; do
	wait_for $((MHD_TIMEOUT_S + 20)) closed "${HUNG_PIDS[$((i - 1))]}"
	got=$(cat "$WORK/hung.$i")
	check_match "stalled scraper $i: closed by the server (the connection timeout), not left open" \
		"$got" '^[0-9]+\.[0-9]$'
done
check "the silent client: closed by the server (the connection timeout)" -- \
	wait_for $((MHD_TIMEOUT_S + 20)) closed "$SILENT_PID"
HUNG_PIDS=()
check "the daemon still runs" -- kill -0 "$DAEMON_PID"

# --- A reload that moves metrics listen moves the server. ---
sample_text=$(scrape)
NEW_PORT=$((METRICS_PORT + 2))
sed -i "s/^metrics listen .*/metrics listen 127.0.0.1:$NEW_PORT/" "$CONF"
kill -HUP "$DAEMON_PID"
new_port_serves() { edge curl -sf -m 5 -o /dev/null "http://127.0.0.1:$NEW_PORT/metrics"; }
check "metrics listen moved by a reload: 127.0.0.1:$NEW_PORT serves /metrics within 30 s" -- \
	wait_for 30 new_port_serves
old_port_closed() { ! scrape_ok; }
check "  ...and 127.0.0.1:$METRICS_PORT no longer does" -- old_port_closed

tap_diag "a sample of /metrics:" "$(grep -vE '^# HELP' <<<"$sample_text" | grep -E 'edgefw_(generation|reloads_total|ratelimited_total|flows|set_prefixes|blocklist_entries|build_info|xdp_mode\{interface="ext0")|edgefw_packets_total\{interface="ext0",role="external",direction="in",verdict="(drop|pass)",reason="(policy|rule)"' | head -30)"
tap_done
