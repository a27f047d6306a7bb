#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage control: how long edgefw's commands take, as an operator or a
# script meets them: the wall time of the whole command (start to exit,
# run in the edge namespace), several runs, median. `edgefw set add` of
# 100k and 1M generated prefixes (and edgefw's own printed time), their
# `set del`, `reload` of a config whose set holds 100k prefixes, `status`
# and `stats` (text and --json) at each set size and with a config whose
# set holds 1M prefixes in its text, and `load` and `unload` for
# reference. Writes control.json and control.md.
set -u
out=$1
# Namespaces, pins and state of this stage's own (lib.sh names the
# directories after the prefix), so that it never meets, or tears down,
# another stage's run on the same machine (BENCH_PREFIX overrides it, for
# two runs of this stage side by side).
BENCH_PREFIX=${BENCH_PREFIX:-efwbc-}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

set_sizes=(100000 1000000)
set_runs=(5 3) # per size: a million-prefix round takes seconds
reload_prefixes=100000
reload_runs=5
# status of a config whose set holds this many prefixes in its text
status_config_prefixes=1000000
load_runs=5
status_runs=21
# seconds a measurement waits for the machine to calm down (BENCH_IDLE_WAIT:
# less on a machine that is known to stay busy)
idle_wait=${BENCH_IDLE_WAIT:-60}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	set_sizes=(10000 100000)
	set_runs=(2 2)
	reload_prefixes=10000
	reload_runs=2
	status_config_prefixes=100000
	load_runs=2
	status_runs=5
	idle_wait=${BENCH_IDLE_WAIT:-10}
fi
# Issue 15's targets: status whatever the sets hold, set add of 100k and
# of 1M prefixes, reload of a config with a 100k set.
targets='[{"operation": "status", "seconds": 0.02},
	{"operation": "set add", "prefixes": 100000, "seconds": 0.2},
	{"operation": "set add", "prefixes": 1000000, "seconds": 2},
	{"operation": "reload", "prefixes": 100000, "seconds": 0.3}]'
seed=${BENCH_SEED:-5269}
scalectl=$BENCH_BUILD/scalectl
example=$BENCH_TOP/examples/lync-xmpp.conf
bench_scratch control

# One timed run of edgefw ARGS: {wall_s, cpu_s, edgefw_s}. The timer runs
# inside the namespace, so entering it is not part of the time, and on
# the bench's CPU, so that lib.sh's load record is of the other CPUs.
time_edgefw() { # ARGS...
	local t
	t=$(in_edge 900 taskset -c "$BENCH_CPU" "$scalectl" time \
		--output "$work/cmd.out" -- \
		"$EDGEFW" "$@") || {
		bench_say "control: edgefw $* failed:"
		cat "$work/cmd.out" >&2
		return 1
	}
	jq -c --arg own "$(own_seconds "$work/cmd.out")" \
		'{wall_s: .wall_s[0], cpu_s: .cpu_s[0],
		  edgefw_s: ($own | tonumber? // null)}' <<<"$t"
}

# RUNS runs of edgefw ARGS back to back, as a JSON array of runs.
time_edgefw_runs() { # RUNS ARGS...
	in_edge 900 taskset -c "$BENCH_CPU" "$scalectl" time --runs "$1" -- \
		"$EDGEFW" "${@:2}" |
		jq -c '[.wall_s as $w | .cpu_s as $c | range($w | length)
			| {wall_s: $w[.], cpu_s: $c[.]}]'
}

measure_begin() {
	MEASURE_IDLE=true
	bench_wait_idle 0.5 "$idle_wait" || MEASURE_IDLE=false
	load_begin
}

# The record of one operation: its runs, their median, spread and the
# other load while they ran, and its target where $targets names the
# operation (the words before " (") and size. A median of rounds that
# spread more than 10% either way is flagged noisy.
record() { # OPERATION SIZE RUNS_JSON
	jq -cn --arg op "$1" --argjson size "$2" --argjson targets "$targets" \
		--argjson runs "$3" --argjson load "$(load_end)" \
		--argjson pressure "$(cpu_pressure)" \
		--argjson idle "$MEASURE_IDLE" '
		def median: sort | .[length / 2 | floor];
		($op | split(" (")[0]) as $name
		| ([$targets[] | select(.operation == $name and
					(.prefixes == null or .prefixes == $size))
		    | .seconds] | first) as $target
		| {operation: $op, size: $size, runs: $runs,
		 wall_s: ($runs | map(.wall_s) | median),
		 min_s: ($runs | map(.wall_s) | min),
		 max_s: ($runs | map(.wall_s) | max),
		 cpu_s: ($runs | map(.cpu_s) | median),
		 edgefw_s: ([$runs[].edgefw_s | numbers]
			    | if length > 0 then median else null end),
		 target_s: $target,
		 load: ($load + {cpu_pressure_avg10: $pressure,
				 idle_before: $idle})}
		| . + {noisy: (.min_s < 0.9 * .wall_s or .max_s > 1.1 * .wall_s),
		       met: (if $target then .wall_s <= $target else null end)}' \
		>>"$records"
}

human_count() { # N: 100k, 1M
	if [ "$1" -ge 1000000 ] && [ $(($1 % 1000000)) -eq 0 ]; then
		echo "$(($1 / 1000000))M"
	elif [ "$1" -ge 1000 ] && [ $(($1 % 1000)) -eq 0 ]; then
		echo "$(($1 / 1000))k"
	else
		echo "$1"
	fi
}

# ---- status, load, unload ----

# LABEL SIZE: status and stats, text and --json, as loaded now; they read
# what is loaded and must not cost more with a bigger set
measure_status() {
	local runs cmd
	for cmd in status "status --json" stats "stats --json"; do
		measure_begin
		# shellcheck disable=SC2086 # the command and its option
		runs=$(time_edgefw_runs "$status_runs" $cmd) || return 1
		record "$cmd ($1)" "$2" "$runs"
	done
}

# RUNS rounds of unload and load of CONFIG, each timed; CONFIG stays
# loaded. The first unload is of whatever is loaded, and not recorded.
measure_load_unload() { # LABEL SIZE CONFIG
	local r loads=() unloads=() t
	in_edge 120 "$EDGEFW" unload >/dev/null 2>&1
	rm -rf "$EDGEFW_STATE_DIR"
	measure_begin
	for ((r = 1; r <= load_runs; r++)); do
		t=$(time_edgefw load -c "$3") || return 1
		loads+=("$t")
		[ "$r" -lt "$load_runs" ] || break
		t=$(time_edgefw unload) || return 1
		unloads+=("$t")
	done
	# both over the same rounds, so with the same load
	record "load ($1)" "$2" "$(printf '%s\n' "${loads[@]}" | jq -cs .)"
	record "unload ($1)" "$2" "$(printf '%s\n' "${unloads[@]}" | jq -cs .)"
}

# ---- sets ----

# RUNS rounds of `set add` of the first SIZE generated prefixes, each
# taken out again by a `set del` (timed too), so that every add starts
# from the config's own set. Then status with the set full.
measure_set_add() { # SIZE RUNS
	local size=$1 runs=$2 r adds=() dels=() t file=$work/prefixes-$1
	head -n "$size" "$work/prefixes" >"$file"
	bench_say "control: set add of $size prefixes, $runs runs"
	measure_begin
	for ((r = 1; r <= runs; r++)); do
		t=$(time_edgefw set add partners -f "$file") || return 1
		adds+=("$t")
		t=$(time_edgefw set del partners -f "$file") || return 1
		dels+=("$t")
	done
	# both over the same rounds, so with the same load
	record "set add" "$size" "$(printf '%s\n' "${adds[@]}" | jq -cs .)"
	record "set del" "$size" "$(printf '%s\n' "${dels[@]}" | jq -cs .)"

	time_edgefw set add partners -f "$file" >/dev/null || return 1
	[ "$(set_size partners)" -ge "$size" ] ||
		bench_say "control: the set holds fewer than $size prefixes"
	measure_status "set with $(human_count "$size") added" "$size" || return 1
	# each map's kernel memory (memlock in fdinfo) with the set this full
	timeout 60 "$scalectl" objects --pins "$EDGEFW_PIN_DIR" |
		jq -c --argjson size "$size" '{size: $size, maps: .maps,
			memlock_total_bytes}' >>"$work/memory.jsonl" || return 1
	time_edgefw set del partners -f "$file" >/dev/null
}

# ---- reload ----

# The example with the COUNT generated prefixes of FILE in its partners set.
big_set_config() { # COUNT [FILE]
	sed "/^set partners {/r ${2:-$work/prefixes-reload}" "$example"
	printf '\n# bench/stage-control.sh: %d generated prefixes in partners, seed %d\n' \
		"$1" "$seed"
}

measure_reload() {
	local conf=$work/control-big-set.conf runs=() r t label
	head -n "$reload_prefixes" "$work/prefixes" >"$work/prefixes-reload"
	big_set_config "$reload_prefixes" >"$conf"
	bench_say "control: a config with $reload_prefixes prefixes in a set"
	label="config with a $(human_count "$reload_prefixes") set"
	measure_load_unload "$label" "$reload_prefixes" "$conf" || return 1
	measure_begin
	for ((r = 1; r <= reload_runs; r++)); do
		t=$(time_edgefw reload -c "$conf") || return 1
		runs+=("$t")
	done
	record "reload ($label)" "$reload_prefixes" \
		"$(printf '%s\n' "${runs[@]}" | jq -cs .)"
	measure_status "$label" "$reload_prefixes"
}

# status and stats of a config whose set holds a million prefixes in its
# text: what they read must not grow with it (issue 15: 593 ms at 1M).
measure_status_config() {
	local conf=$work/control-status-set.conf label
	head -n "$status_config_prefixes" "$work/prefixes" >"$work/prefixes-status"
	big_set_config "$status_config_prefixes" "$work/prefixes-status" >"$conf"
	label="config with a $(human_count "$status_config_prefixes") set"
	bench_say "control: status of a $label"
	in_edge 120 "$EDGEFW" unload >/dev/null 2>&1
	rm -rf "$EDGEFW_STATE_DIR"
	in_edge 900 "$EDGEFW" load -c "$conf" >/dev/null || return 1
	measure_status "$label" "$status_config_prefixes"
}

# ---- the run ----

bench_edge_up "$example"
timeout 300 "$scalectl" prefixes --count "${set_sizes[-1]}" --seed "$seed" \
	"${BENCH_AVOID[@]}" >"$work/prefixes" || bench_die "control: cannot generate prefixes"

bench_say "control: status, load and unload of the example"
measure_status "example" 0 || bench_die "control: status failed"
measure_load_unload "example" 0 "$example" || bench_die "control: load failed"
for i in "${!set_sizes[@]}"; do
	measure_set_add "${set_sizes[i]}" "${set_runs[i]}" ||
		bench_die "control: set add failed"
done
measure_reload || bench_die "control: reload failed"
measure_status_config || bench_die "control: status of a big config failed"

jq -s --argjson seed "$seed" --argjson quick "${BENCH_QUICK:-0}" \
	--argjson cpu "$BENCH_CPU" \
	--argjson targets "$targets" '
	{stage: "control", quick: ($quick == 1), seed: $seed, cpu: $cpu,
	 what: "wall time of the edgefw command from fork to exit, in the edge namespace; edgefw_s: the time edgefw prints for its own work",
	 targets: $targets,
	 operations: .}' "$records" |
	jq --slurpfile memory "$work/memory.jsonl" '. + {memory: $memory}' \
		>"$out/control.json" ||
	bench_die "cannot summarise control"

jq -r '
	def ms: if . == null then "-" elif . < 1 then "\(. * 1000 | . * 10 | round / 10) ms"
		else "\(. * 100 | round / 100) s" end;
	def count: if . >= 1000000 then "\(. / 1000000)M"
		   elif . >= 1000 then "\(. / 1000)k" else "\(.)" end;
	"## Control plane: time of edgefw commands (wall time, median of the runs)\n",
	"Each command timed from fork to exit inside the edge namespace, on CPU \(.cpu); `edgefw set add` also prints the time of its own work (from reading the set to the saved state), shown beside. Prefixes generated with seed \(.seed), half IPv4 and half IPv6 of mixed lengths.\(if .quick then " **Quick run: smaller sizes, fewer runs.**" else "" end)\n",
	"| operation | prefixes | runs | median | min - max | edgefw'"'"'s own | CPU (user+sys) | target | other load %, CPU pressure |",
	"|---|---|---|---|---|---|---|---|---|",
	(.operations[] | "| \(.operation) | \(.size | count) | \(.runs | length) | \(.wall_s | ms)\(if .noisy then "*" else "" end) | \(.min_s | ms) - \(.max_s | ms) | \(.edgefw_s | ms) | \(.cpu_s | ms) | \(if .target_s then "<= \(.target_s) s: \(if .met then "met" else "**missed**" end)" else "" end) | \(.load.busy_percent), \(.load.cpu_pressure_avg10) |"),
	"",
	(.memory[-1] as $m | def mb: . / 1000000 | . * 10 | round / 10;
	 def sets: ["sets", "set_filter", "set4_by24", "set4_any", "set4_bits", "set6_heads", "set6_cache", "set6_prefixes"];
	 "### Kernel memory with \($m.size | count) prefixes added (memlock in fdinfo)\n",
	 "| map | type | max entries | MB |", "|---|---|---|---|",
	 ($m.maps | group_by(.name)[] | {name: .[0].name, type: .[0].type,
		max_entries: .[0].max_entries, n: length,
		bytes: (map(.memlock_bytes) | add)}
	  | select(.name as $n | sets | index($n))
	  | "| \(.name)\(if .n > 1 then " (x\(.n))" else "" end) | \(.type) | \(.max_entries) | \(.bytes | mb) |"),
	 "| **the sets together** | | | **\([$m.maps[] | select(.name as $n | sets | index($n)) | .memlock_bytes] | add | mb)** |",
	 "| all maps | | | \($m.memlock_total_bytes | mb) |"),
	"\n* noisy: the runs spread more than 10% around the median. other load %: how busy the CPUs other than the one the commands run on were (bench/lib.sh); CPU pressure: /proc/pressure/cpu some avg10 at the end of the runs. Wall time beyond CPU time is waiting: for the disk (the state file is written with fsync) or for a CPU."' \
	"$out/control.json" >"$out/control.md" || bench_die "cannot write control.md"
