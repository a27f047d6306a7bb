#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage scale: edgefw's per-packet cost through BPF_PROG_TEST_RUN as its
# tables grow, beside the trivial XDP_PASS floor in the same run, and the
# kernel memory of every map at each size:
#   sets   the partners set grown to 10, 1k, 100k, 1M prefixes (edgefw set add)
#   flows  the flow tables filled to 1k, 100k, 1M flows
#   rules  configs of 10, 50 and 100 rules (and 100 with 15 on one port)
# BENCH_SCALE_PARTS="sets flows rules" (the default) chooses the parts.
# edgefw runs from the testrun stage's config with `flows max 1048576`,
# the rules part from examples/lync-xmpp.conf and its generated rules; the
# configs loaded are kept beside the results. Writes scale.json, scale.md.
set -u
out=$1
# Namespaces, pins and state of this stage's own (lib.sh names the
# directories after the prefix), so that it never meets, or tears down,
# another stage's run on the same machine.
BENCH_PREFIX=${BENCH_SCALE_PREFIX:-efwbs-}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

repeat=${BENCH_REPEAT:-500000}
rounds=${BENCH_ROUNDS:-15}
set_sizes=(10 1000 100000 1000000)
flow_fills=(1000 100000 1000000)
rule_counts=(10 50 100)
idle_wait=60 # seconds a measurement waits for the machine to calm down
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	repeat=100000
	rounds=5
	set_sizes=(10 1000 10000)
	flow_fills=(1000 10000)
	rule_counts=(10 50)
	idle_wait=10
fi
# Every generated prefix list and flow table comes from this seed.
seed=${BENCH_SEED:-5269}
# each with many sources as well: what a flood from many sources meets
set_classes=("partner SYN over its limit v4" "partner SYN over its limit v6"
	"non-partner SYN to 5269" "partner SYN over its limit v4, many sources"
	"partner SYN over its limit v6, many sources"
	"non-partner SYN to 5269, many sources")
flow_classes=("established v4" "spoofed reply" "established v4, many sources"
	"spoofed reply, many sources")
scalectl=$BENCH_BUILD/scalectl
example=$BENCH_TOP/examples/lync-xmpp.conf
self4=198.51.100.10
self6=2001:db8:100::10
stranger4=192.0.2.66

# Lookups alone (bench/lookup.bpf.c): one key over and over, as a packet
# repeated by BPF_PROG_TEST_RUN meets the map, and 65536 different keys.
lookup_args=(--object "$BENCH_BUILD/lookup.bpf.o" --repeat "$((repeat / 2))"
	--rounds "$rounds" --cpu "$BENCH_CPU")

bench_scratch scale

unreclaimable_slab_kb() {
	awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo
}

# edgefw loaded afresh from CONFIG, with empty flow tables and none of
# the set changes of an earlier part (edgefw set's changes persist in the
# state directory, and a load would bring them back). Prints the load's
# wall time as scalectl time's JSON.
fresh_load() { # CONFIG
	in_edge 120 "$EDGEFW" unload >/dev/null 2>&1
	rm -rf "$EDGEFW_STATE_DIR"
	in_edge 300 "$scalectl" time --output "$work/load.out" -- \
		"$EDGEFW" load -c "$1" || {
		cat "$work/load.out" >&2
		return 1
	}
}

# The programs pinned for edgefw and every map they use, with memlock as
# /proc/self/fdinfo of each map has it (what `bpftool map show` prints).
objects() {
	timeout 60 "$scalectl" objects --pins "$EDGEFW_PIN_DIR"
}

# CLASSES through edgefw on ext0 and the trivial floor, one pinned CPU,
# median of the rounds; prints the summary of each class with the other
# load during the measurement.
measure_classes() { # CLASS...
	local raw=$work/testrun.json args=() class load pressure idle=true
	for class in "$@"; do
		args+=(--class "$class")
	done
	bench_wait_idle 0.5 "$idle_wait" || idle=false
	load_begin
	in_edge 900 "$BENCH_BUILD/testrun" \
		--program "edgefw=link:$EDGEFW_PIN_DIR/xdp_ext0" \
		--program "trivial=obj:$BENCH_BUILD/trivial.bpf.o:xdp_pass" \
		--ifindex ext0 --cpu "$BENCH_CPU" --repeat "$repeat" \
		--rounds "$rounds" "${args[@]}" >"$raw" || return 1
	load=$(load_end)
	pressure=$(cpu_pressure)
	jq --argjson load "$load" --argjson pressure "$pressure" \
		--argjson idle "$idle" '
		{load: ($load + {cpu_pressure_avg10: $pressure,
				 idle_before: $idle}),
		 classes: [.results | group_by(.class)[] | {
			class: .[0].class, path: .[0].path,
			edgefw: (.[] | select(.program == "edgefw")),
			trivial: (.[] | select(.program == "trivial"))}
		   | . + {over_trivial_ns: (.edgefw.ns - .trivial.ns)}]}' "$raw"
}

record() { # JSON: one measured point, kept for the results
	printf '%s\n' "$1" >>"$records"
}

# ---- sets ----

# The partners set grown by `edgefw set add` from one generated list, the
# first lines of which are every smaller size's additions.
measure_sets() {
	local base have size list=$work/prefixes chunk=$work/chunk added
	local slab0 filter classes objs lookups
	fresh_load "$conf" >/dev/null || return 1
	base=$(set_size partners)
	[ -n "$base" ] || return 1
	timeout 300 "$scalectl" prefixes --count "$((set_sizes[-1] - base))" \
		--seed "$seed" "${BENCH_AVOID[@]}" >"$list" || return 1
	slab0=$(unreclaimable_slab_kb)
	have=$base
	for size in "${set_sizes[@]}"; do
		added=null
		if [ "$size" -gt "$have" ]; then
			sed -n "$((have - base + 1)),$((size - base))p" "$list" >"$chunk"
			bench_say "scale: partners set to $size prefixes"
			added=$(in_edge 900 "$scalectl" time --output "$work/add.out" -- \
				"$EDGEFW" set add partners -f "$chunk") || {
				cat "$work/add.out" >&2
				return 1
			}
			added=$(jq --argjson n "$((size - have))" \
				--arg own "$(own_seconds "$work/add.out")" \
				'{prefixes: $n, wall_s: .wall_s[0], cpu_s: .cpu_s[0],
				  edgefw_s: ($own | tonumber? // null)}' <<<"$added")
		fi
		have=$(set_size partners)
		[ -n "$have" ] || return 1
		[ "$have" = "$size" ] ||
			bench_say "scale: the set holds $have prefixes, not $size"
		filter=$(in_edge 60 "$scalectl" filter \
			--map "$EDGEFW_PIN_DIR/gen/set_filter" --set 0 --addr "$stranger4")
		objs=$(objects)
		classes=$(measure_classes "${set_classes[@]}") || return 1
		lookups=$(in_edge 600 "$scalectl" lookup-set \
			--map "$EDGEFW_PIN_DIR/gen/sets" --set 0 --seed "$seed" \
			--index "$EDGEFW_PIN_DIR/gen" "${lookup_args[@]}") || return 1
		record "$(jq -n --argjson size "$size" --argjson have "$have" \
			--argjson added "$added" --argjson filter "$filter" \
			--argjson lookups "$lookups" \
			--argjson objects "$objs" --argjson m "$classes" \
			--argjson slab "$(($(unreclaimable_slab_kb) - slab0))" '
			{part: "sets", size: $size, prefixes: $have, add: $added,
			 filter: $filter, slab_growth_kb: $slab, lookups: $lookups,
			 maps: $objects.maps,
			 memlock_total_bytes: $objects.memlock_total_bytes}
			+ $m')"
	done
}

# ---- flows ----

# The IPv4 flows fill_flows writes, for fill-flows and lookup-flows.
flows4_args() { # COUNT
	printf '%s\n' --map "$EDGEFW_PIN_DIR/flows4" --family 4 --count "$1" \
		--ifname ext0 --local "$self4" --local-port 5269 --seed "$seed" \
		"${BENCH_AVOID[@]}"
}

fill_flows() { # COUNT: both tables, as inbound 5269 connections
	local v4 v6 args
	mapfile -t args < <(flows4_args "$1")
	v4=$(in_edge 600 "$scalectl" fill-flows "${args[@]}") || return 1
	v6=$(in_edge 600 "$scalectl" fill-flows --map "$EDGEFW_PIN_DIR/flows6" \
		--family 6 --count "$1" --ifname ext0 --local "$self6" \
		--local-port 5269 --seed "$seed" "${BENCH_AVOID[@]}") || return 1
	jq -n --argjson v4 "$v4" --argjson v6 "$v6" \
		--argjson n4 "$(timeout 60 "$scalectl" count --map "$EDGEFW_PIN_DIR/flows4")" \
		--argjson n6 "$(timeout 60 "$scalectl" count --map "$EDGEFW_PIN_DIR/flows6")" \
		'{flows4: ($v4 + $n4), flows6: ($v6 + $n6)}'
}

measure_flows() {
	local fill filled objs classes lookups args
	fresh_load "$conf" >/dev/null || return 1
	for fill in "${flow_fills[@]}"; do
		bench_say "scale: flow tables filled to $fill"
		filled=$(fill_flows "$fill") || return 1
		objs=$(objects)
		classes=$(measure_classes "${flow_classes[@]}") || return 1
		mapfile -t args < <(flows4_args "$fill")
		lookups=$(in_edge 600 "$scalectl" lookup-flows "${args[@]}" \
			"${lookup_args[@]}") || return 1
		record "$(jq -n --argjson fill "$fill" --argjson filled "$filled" \
			--argjson objects "$objs" --argjson m "$classes" \
			--argjson lookups "$lookups" '
			{part: "flows", fill: $fill, filled: $filled,
			 lookups: $lookups,
			 maps: $objects.maps,
			 memlock_total_bytes: $objects.memlock_total_bytes}
			+ $m')"
	done
}

# ---- rules ----

# The example with generated rules up to COUNT in all: each its own port
# (10001 and up) and its own set of two generated prefixes, across both
# roles, both directions, TCP and UDP, some with a rate limit. ON_5269 of
# them take tcp 5269 external in instead, as candidates beside
# xmpp-s2s-in: a packet to 5269 that no rule admits tries them all.
rules_config() { # COUNT ON_5269
	local count=$1 on_5269=$2 extra i port prefixes
	extra=$((count - $(grep -c '^rule ' "$example")))
	mapfile -t prefixes < <(timeout 60 "$scalectl" prefixes \
		--count "$((2 * extra))" --seed "$((seed + 1))" "${BENCH_AVOID[@]}")
	[ "${#prefixes[@]}" -eq "$((2 * extra))" ] || return 1
	cat "$example"
	printf '\n# bench/stage-scale.sh: %d generated rules, seed %d\n' \
		"$extra" "$((seed + 1))"
	for ((i = 1; i <= extra; i++)); do
		printf 'set peers%d { %s, %s }\n' "$i" "${prefixes[2 * i - 2]}" \
			"${prefixes[2 * i - 1]}"
		port=$((10000 + i))
		if [ "$i" -le "$on_5269" ]; then
			printf 'rule gen%d external in tcp 5269 from peers%d to self\n' "$i" "$i"
			continue
		fi
		case $((i % 4)) in
		0) printf 'rule gen%d external in tcp %d from peers%d to self\n' "$i" "$port" "$i" ;;
		1) printf 'rule gen%d external out tcp %d to peers%d\n' "$i" "$port" "$i" ;;
		2) printf 'rule gen%d internal in tcp %d from peers%d to self\n' "$i" "$port" "$i" ;;
		3) printf 'rule gen%d external in udp %d from peers%d limit 100/s burst 200 per source\n' "$i" "$port" "$i" ;;
		esac
	done
}

measure_rules() {
	local count on_5269 label file load objs classes
	for label in "${rule_counts[@]}" "${rule_counts[-1]}+5269"; do
		count=${label%+5269}
		on_5269=0
		[ "$label" = "$count" ] || on_5269=14 # 15 candidates: the most a port takes
		file=$out/scale-rules-$label.conf
		rules_config "$count" "$on_5269" >"$file" || return 1
		bench_say "scale: $label rules"
		load=$(fresh_load "$file") || return 1
		objs=$(objects)
		classes=$(measure_classes "partner SYN over its limit v4" \
			"non-partner SYN to 5269" \
			"non-partner SYN to 5269, many sources" "closed port") || return 1
		# the partners set answers from its index: no trie lookup to time
		record "$(jq -n --arg name "$label" --argjson count "$count" \
			--argjson on_5269 "$((on_5269 + 1))" \
			--arg config "$(basename "$file")" --argjson load "$load" \
			--argjson objects "$objs" --argjson m "$classes" '
			{part: "rules", "label": $name, rules: $count,
			 rules_on_5269: $on_5269, config: $config,
			 load_s: $load.wall_s[0], programs: $objects.programs,
			 maps: $objects.maps,
			 memlock_total_bytes: $objects.memlock_total_bytes}
			+ $m')"
	done
}

# ---- the run ----

conf=$out/scale.conf
# the testrun stage's config: its partners hold the many-sources classes'
# sources (198.18.0.0/15), which the generated prefixes keep out of
{
	"$BENCH_TOP/bench/testrun-config.sh" || exit 1
	printf '\n# bench/stage-scale.sh: room for a million flows\nflows max 1048576\n'
} >"$conf" || bench_die "cannot write $conf"

bench_edge_up "$conf"
# BENCH_SCALE_PARTS: some of the parts alone, as when one change is
# measured before and after; the report then holds only those
for part in ${BENCH_SCALE_PARTS:-sets flows rules}; do
	case $part in
	sets) measure_sets ;;
	flows) measure_flows ;;
	rules) measure_rules ;;
	*) false ;;
	esac || bench_die "scale: the $part part failed"
done

jq -s --arg config "$(basename "$conf")" --argjson seed "$seed" \
	--argjson repeat "$repeat" --argjson rounds "$rounds" \
	--argjson cpu "$BENCH_CPU" --argjson quick "${BENCH_QUICK:-0}" \
	--argjson set_classes "$(printf '%s\n' "${set_classes[@]}" | jq -R . | jq -s .)" \
	--argjson flow_classes "$(printf '%s\n' "${flow_classes[@]}" | jq -R . | jq -s .)" '
	def ns($p; $c): $p.classes[] | select(.class == $c) | .edgefw.ns;
	[.[] | select(.part == "sets")] as $sets
	| [.[] | select(.part == "flows")] as $flows
	| {stage: "scale", quick: ($quick == 1), config: $config,
	   seed: $seed, repeat: $repeat, rounds: $rounds, cpu: $cpu,
	   memory_source: "memlock of /proc/self/fdinfo/FD of each map (as bpftool map show): the kernel'"'"'s map_mem_usage",
	   prefixes: "bench/scalectl prefixes: half IPv4, half IPv6; IPv4 /32 55%, /25-/31 15%, /24 25%, /20-/23 5% (a million cover 2% of the IPv4 space); IPv6 (in 2000::/3) /128 40%, /65-/127 15%, /64 25%, /48 15%, /32-/47 5%; distinct; none overlapping 203.0.113.0/24, 192.0.2.0/24, 198.18.0.0/15, 64.0.0.0/2, 2001:db8:77::/48, 2001:db8:99::/48",
	   sets: $sets, flows: $flows,
	   rules: [.[] | select(.part == "rules")],
	   targets: {
		set_growth: [$sets | select(length > 0) | $set_classes[] as $c
			| {class: $c, from_prefixes: $sets[0].size,
			   to_prefixes: $sets[-1].size,
			   from_ns: ns($sets[0]; $c), to_ns: ns($sets[-1]; $c),
			   ratio: (ns($sets[-1]; $c) / ns($sets[0]; $c)),
			   target_ratio: 1.5}
			| . + {met: (.ratio <= .target_ratio)}],
		flow_growth: [$flows | select(length > 0) | $flow_classes[] as $c
			| {class: $c, from_flows: $flows[0].fill,
			   to_flows: $flows[-1].fill,
			   from_ns: ns($flows[0]; $c), to_ns: ns($flows[-1]; $c),
			   ratio: (ns($flows[-1]; $c) / ns($flows[0]; $c))}]}}' \
	"$records" >"$out/scale.json" || bench_die "cannot summarise scale"

jq -r '
	# every measured class drops but the established packet, which passes
	def ns($c): .classes[] | select(.class == $c)
		| "\(.edgefw.ns)\(if .edgefw.noisy then "*" else "" end)"
		  + (if .edgefw.verdict != (if ($c | startswith("established"))
					     then "pass" else "drop" end)
		     then " (\(.edgefw.verdict)!)" else "" end);
	def floor: [.classes[].trivial.ns] | min;
	def mb: . / 1048576 | . * 10 | round / 10;
	def size: if . >= 1048576 then "\(. / 1048576 | . * 10 | round / 10) MB"
		  else "\(. / 1024 | round) kB" end;
	def memlock($n): .maps[] | select(.name == $n) | .memlock_bytes;
	# the maps by name: each interface has its own read-only data
	def by_name: .maps | group_by(.name) | map({name: .[0].name,
		type: .[0].type, max_entries: .[0].max_entries, n: length,
		memlock_bytes: (map(.memlock_bytes) | add)});
	def count: if . >= 1000000 then "\(. / 1000000)M"
		   elif . >= 1000 then "\(. / 1000)k" else "\(.)" end;
	def mark: if . then "met" else "**missed**" end;
	def r2: . * 100 | round / 100;
	def r3: . * 1000 | round / 1000;
	def probes: "\(.[0].lookup_ns) / \(.[1].lookup_ns) (\(.[1].found_share * 1000 | round / 10)%)";
	def lookups: .lookups.probes | probes;
	def index_lookups: .lookups.index.probes | probes;
	def index6_lookups: .lookups.ipv6.index.probes | probes;
	"## Scale: per-packet cost as the tables grow (BPF_PROG_TEST_RUN, median of \(.rounds) x \(.repeat), CPU \(.cpu))\n",
	"edgefw loaded from `\(.config)` (bench/testrun-config.sh'"'"'s config with `flows max 1048576`) on ext0; ns per packet of edgefw beside the trivial XDP_PASS floor in the same run. Memory: \(.memory_source).\(if .quick then " **Quick run: smaller sizes, fewer rounds.**" else "" end)\n",
	(if (.sets | length) > 0 then
	"### Partner set size (`edgefw set add` of generated prefixes, seed \(.seed))\n",
	"| prefixes | partner SYN over its limit v4 | partner SYN over its limit v6 | non-partner SYN to 5269 | the three, many sources | floor | IPv6 filter bits set | IPv4 index lookup alone ns, 1 / 64k keys (found) | IPv6 index lookup alone ns, 1 / 64k keys (found) | sets trie | IPv4 index (by24 + bits) | all maps MB | slab growth MB | set add s (wall / edgefw) | other load %, CPU pressure |",
	"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
	(.sets[] | "| \(.prefixes | count) | \(ns("partner SYN over its limit v4")) | \(ns("partner SYN over its limit v6")) | \(ns("non-partner SYN to 5269")) | \(ns("partner SYN over its limit v4, many sources")) / \(ns("partner SYN over its limit v6, many sources")) / \(ns("non-partner SYN to 5269, many sources")) | \(floor) | \(.filter.v6_bits_set) | \(index_lookups) | \(index6_lookups) | \(memlock("sets") | size) | \(memlock("set4_by24") | size) + \(memlock("set4_bits") | size) | \(.memlock_total_bytes | mb) | \(.slab_growth_kb / 1024 | . * 10 | round / 10) | \(if .add then "\(.add.wall_s | r3) / \(.add.edgefw_s) (+\(.add.prefixes | count))" else "-" end) | \(.load.busy_percent), \(.load.cpu_pressure_avg10) |"),
	"",
	"Growth against the target (per-packet cost grows <= 1.5x from 10 to 1M prefixes):\n",
	"| class | at \(.targets.set_growth[0].from_prefixes | count) | at \(.targets.set_growth[0].to_prefixes | count) | growth | target |",
	"|---|---|---|---|---|",
	(.targets.set_growth[] | "| \(.class) | \(.from_ns) | \(.to_ns) | \(.ratio | r2)x | <= 1.5x: \(.met | mark) |"),
	""
	else empty end),
	(if (.flows | length) > 0 then
	"### Flow table fill (`flows max 1048576`, both tables filled alike)\n",
	"| flows | in flows4 / flows6 | established v4 | spoofed reply | the two, many sources | floor | flows4 lookup alone ns, 1 / 64k keys (found) | flows4 | flows6 | all maps MB | fill s (v4 / v6) | other load %, CPU pressure |",
	"|---|---|---|---|---|---|---|---|---|---|---|---|",
	(.flows[] | "| \(.fill | count) | \(.filled.flows4.entries) / \(.filled.flows6.entries) | \(ns("established v4")) | \(ns("spoofed reply")) | \(ns("established v4, many sources")) / \(ns("spoofed reply, many sources")) | \(floor) | \(lookups) | \(memlock("flows4") | size) | \(memlock("flows6") | size) | \(.memlock_total_bytes | mb) | \(.filled.flows4.seconds | r3) / \(.filled.flows6.seconds | r3) | \(.load.busy_percent), \(.load.cpu_pressure_avg10) |"),
	"",
	(.targets.flow_growth[] | "- \(.class): \(.from_ns) ns at \(.from_flows | count) flows, \(.to_ns) ns at \(.to_flows | count): \(.ratio | r2)x"),
	""
	else empty end),
	(if (.rules | length) > 0 then
	"### Rules (generated: distinct ports and sets; the example'"'"'s rules kept)\n",
	"| rules | on tcp 5269 | partner SYN over its limit v4 | non-partner SYN to 5269 | the same, many sources | closed port | floor | verified insns xdp / tc (ext0) | load s | all maps MB | other load %, CPU pressure |",
	"|---|---|---|---|---|---|---|---|---|---|---|",
	(.rules[] | "| \(.rules) | \(.rules_on_5269) | \(ns("partner SYN over its limit v4")) | \(ns("non-partner SYN to 5269")) | \(ns("non-partner SYN to 5269, many sources")) | \(ns("closed port")) | \(floor) | \(.programs[] | select(.pin == "xdp_ext0") | .verified_insns) / \(.programs[] | select(.pin == "tc_ext0") | .verified_insns) | \(.load_s | r2) | \(.memlock_total_bytes | mb) | \(.load.busy_percent), \(.load.cpu_pressure_avg10) |"),
	""
	else empty end),
	(if (.sets | length) > 0 and (.flows | length) > 0 then
	"### Every map at the largest set size and at the fullest flow table\n",
	"| map | type | max entries | MB at \(.sets[-1].prefixes | count) prefixes | MB at \(.flows[-1].fill | count) flows |",
	"|---|---|---|---|---|",
	((.flows[-1] | by_name) as $f | (.sets[-1] | by_name)[] | . as $m
	 | ($f[] | select(.name == $m.name)) as $fm
	 | "| \(.name)\(if .n > 1 then " (x\(.n))" else "" end) | \(.type) | \($fm.max_entries) | \(.memlock_bytes | mb) | \($fm.memlock_bytes | mb) |"),
	""
	else empty end),
	"BPF_PROG_TEST_RUN runs one packet over and over: every lookup it makes finds its cache lines warm. The lookup-alone columns (bench/lookup.bpf.c, median ns net of its floor) show one map lookup for one key repeated and for 65536 different keys in turn (random IPv4 sources against the sets; flows spread over the whole flow table), with the share found: the cost a flood from many sources or the traffic of many flows meets.\n",
	"IPv4 addresses of the partners set meet its IPv4 index (a /24 array read, then for a partly covered /24 a hash lookup); IPv6 addresses its filter (how many of its 1024 bits are set) and then its IPv6 index (an array read for a /32 of one or two prefixes whose entry it holds, else a hash lookup by /32 network; for a /32 with more than two prefixes, one exact lookup per prefix length in it). The probes are random sources: IPv4 from anywhere, IPv6 from 2000::/3. The trie holds only the sets without an index (none here) since issue 15, so the stage no longer times it beside them. Slab growth: SUnreclaim of the whole machine since before the first `set add`; the trie takes what its memlock (entries x element size, without the trie'"'"'s inner nodes or allocator rounding) does not count.\n",
	"Verdicts: a partner SYN over its limit is dropped by its source'"'"'s spent bucket (bench/testrun.c spends it first, and checks every run was a ratelimit drop); its cost is the rule, the set lookup and the bucket. * noisy: the rounds spread more than 10% around the median, twice. other load %: how busy the CPUs other than the one measured on were (bench/lib.sh); CPU pressure: /proc/pressure/cpu some avg10 at the end of the measurement."' \
	"$out/scale.json" >"$out/scale.md" || bench_die "cannot write scale.md"
