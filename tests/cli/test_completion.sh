#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (completion/edgefw.bash) offers every command and
# every option that `edgefw help` shows, the values of options, and the set
# names of the loaded config. What it must offer is read from the usage,
# not from `edgefw help --complete`, which the completion itself reads.
# Needs no privileges and touches nothing outside its scratch directory.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"

EDGEFW=${EDGEFW:-$top/build/edgefw}
COMPLETION=${COMPLETION:-$top/completion/edgefw.bash}
WORK=''

# complete WORD...: what the completion offers for the command line
# "edgefw WORD..." with the cursor on the last word, one a line, sorted.
# A bash of its own with the completion sourced, under set -u.
complete_words() {
	bash -c 'set -u
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_edgefw || exit 1
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$EDGEFW" "$@" |
		sed '/^$/d' | sort
}

# offers DESCRIPTION WANT-WORDS -- WORD...: the completion offers at least
# each of the blank-separated WANT-WORDS.
offers() {
	local desc=$1 want=$2 got missing='' w
	shift 3
	got=$(complete_words "$@")
	for w in $want; do
		grep -qxF -- "$w" <<<"$got" || missing+=" $w"
	done
	check_eq "$desc" "${missing# }" ""
	[ -z "$missing" ] || tap_diag "offered: $(echo $got)"
}

# offers_exactly DESCRIPTION WANT-WORDS -- WORD...
offers_exactly() {
	local desc=$1 want=$2
	shift 3
	check_eq "$desc" "$(complete_words "$@" | tr '\n' ' ')" \
		"$(printf '%s\n' $want | sed '/^$/d' | sort | tr '\n' ' ')"
}

# The usage's lines, "edgefw NAME [OPERANDS] [OPTIONS]".
usage_lines() {
	"$EDGEFW" help | sed -n 's/^  edgefw \(.*\)$/\1/p'
}

# The command's name: its leading lower-case words.
name_of() {
	grep -oE '^[a-z]+( [a-z]+)?' <<<"$1" | head -1
}

# Every option the usage line shows, operands included (-f of set add).
options_of() {
	grep -oE '(^| |\[|\()--?[a-z][a-z-]*' <<<"${1#"$(name_of "$1")"}" |
		sed 's/^[ [(]//' | sort -u
}

test_commands() {
	local line name firsts='' verb
	while read -r line; do
		name=$(name_of "$line")
		firsts+=" ${name%% *}"
		if [ "$name" != "${name%% *}" ]; then
			verb=${name#* }
			offers "${name%% *} <TAB> offers $verb" "$verb" -- "${name%% *}" ""
			offers "${name%% *} ${verb:0:1}<TAB> offers $verb" "$verb" -- "${name%% *}" "${verb:0:1}"
		fi
	done < <(usage_lines)
	check "the usage lists the commands" -- test "$(wc -w <<<"$firsts")" -ge 10
	offers "<TAB> offers every command and help" "$firsts help" -- ""
	offers "-<TAB> offers the options before the command" "-v" -- "-"
	offers "-v <TAB> offers the commands after an option" "$firsts" -- -v ""
	offers_exactly "s<TAB> offers the commands that start with s" \
		"$(printf '%s\n' $firsts | grep '^s' | sort -u)" -- s
}

test_options() {
	local line name want words
	while read -r line; do
		name=$(name_of "$line")
		want=$(options_of "$line")
		read -r -a words <<<"$name"
		if [ -z "$want" ]; then
			offers_exactly "$name -<TAB> offers no option (it takes none)" "" -- "${words[@]}" -
			continue
		fi
		offers "$name -<TAB> offers $(echo $want)" "$want" -- "${words[@]}" -
		offers "$name OPERAND -<TAB> still offers them" "$want" -- "${words[@]}" x -
	done < <(usage_lines)
	# The long spellings of options that have a short one: from the
	# table (the usage shows the short one only).
	offers "check --<TAB> offers --config" "--config" -- check --
	offers "set add --<TAB> offers --file" "--file" -- set add --
	offers_exactly "block add --f<TAB> offers --force only" "--force" -- block add --f
}

test_values() {
	offers_exactly "load --xdp-mode <TAB> offers the modes" "auto native generic" \
		-- load --xdp-mode ""
	offers_exactly "reload --xdp-mode n<TAB> offers native" "native" \
		-- reload --xdp-mode n
	: >"$WORK/edgefw-one.conf"
	: >"$WORK/edgefw-two.conf"
	offers_exactly "check -c FILE<TAB> offers files" \
		"$WORK/edgefw-one.conf $WORK/edgefw-two.conf" -- check -c "$WORK/edgefw-"
	offers_exactly "set add NAME -f FILE<TAB> offers files" \
		"$WORK/edgefw-one.conf $WORK/edgefw-two.conf" -- set add x -f "$WORK/edgefw-"
	offers_exactly "block add ADDR --ttl <TAB> offers nothing (a duration)" "" \
		-- block add 192.0.2.1 --ttl ""
}

# Set names come from the loaded config's snapshot in EDGEFW_RUN_DIR.
test_set_names() {
	mkdir -p "$WORK/run"
	cat >"$WORK/run/loaded.conf" <<-'EOF'
		interface ext0 role external
		set partners {
			203.0.113.0/24
			2001:db8:77::/48
		}
		  set front-ends{ 10.1.1.0/28 }
		# set commented { 10.0.0.0/8 }
		rule r external in tcp 5269 from partners
	EOF
	export EDGEFW_RUN_DIR=$WORK/run
	local verb
	for verb in list add del; do
		offers_exactly "set $verb <TAB> offers the loaded config's sets" \
			"partners front-ends" -- set "$verb" ""
	done
	offers_exactly "set add p<TAB> offers partners" "partners" -- set add p
	offers_exactly "set add -f FILE <TAB> offers the sets" "partners front-ends" \
		-- set add -f "$WORK/x" ""
	offers_exactly "set add NAME <TAB> offers no more set names" "" -- set add partners ""
	offers_exactly "block del <TAB> offers no set name" "" -- block del ""
	export EDGEFW_RUN_DIR=$WORK/nothing-loaded
	offers_exactly "set list <TAB> with nothing loaded offers nothing" "" -- set list ""
}

main() {
	[ -x "$EDGEFW" ] || tap_bail "$EDGEFW is not built (make)"
	[ -r "$COMPLETION" ] || tap_bail "no completion script at $COMPLETION"
	WORK=$(mktemp -d /tmp/edgefw-completion.XXXXXX) || tap_bail "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	test_commands
	test_options
	test_values
	test_set_names
	tap_done
}

main "$@"
