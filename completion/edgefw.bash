# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Bash completion for edgefw(8), installed as
# /usr/share/bash-completion/completions/edgefw.
#
# The commands, their operands and options come from the command itself,
# `edgefw help --complete` (user/cli/complete.c prints the command table):
# nothing here lists them. Set names, for `edgefw set list|add|del NAME`,
# come from the config snapshot of the running filter,
# ${EDGEFW_RUN_DIR:-/run/edgefw}/loaded.conf: a file read, no BPF call.
# That directory is root's alone, so set names complete in a root shell.

# The `set NAME` statements of the loaded config: one statement a line,
# the keyword first (README, Configuration).
_edgefw_set_names() {
	local conf=${EDGEFW_RUN_DIR:-/run/edgefw}/loaded.conf
	[ -r "$conf" ] || return 0
	sed -n 's/^[[:space:]]*set[[:space:]]\{1,\}\([A-Za-z][A-Za-z0-9_.-]*\).*/\1/p' "$conf"
}

# _edgefw_offer WORDS CUR: COMPREPLY gets the words (blank-separated) that
# start with CUR, each once.
_edgefw_offer() {
	local w
	local -a ws
	read -r -d '' -a ws <<<"$1"
	for w in "${ws[@]}"; do
		[[ $w == "$2"* && " ${COMPREPLY[*]} " != *" $w "* ]] && COMPREPLY+=("$w")
	done
	return 0
}

# _edgefw_fields LINE: the caller's array fields gets LINE's tab-separated
# fields, empty ones kept (a tab in IFS would merge them).
_edgefw_fields() {
	IFS=$'\x1f' read -r -a fields <<<"${1//$'\t'/$'\x1f'}"
}

_edgefw() {
	local cur=${COMP_WORDS[COMP_CWORD]} table line name spec
	local -a fields lines=() args
	local i=1 j first words='' verbs='' options='' takes_arg=''
	COMPREPLY=()
	table=$("${COMP_WORDS[0]}" help --complete 2>/dev/null) || return 0
	mapfile -t lines <<<"$table"

	# Options before the command: the first line, whose name is empty.
	_edgefw_fields "${lines[0]}"
	while [ "$i" -lt "$COMP_CWORD" ] && [[ ${COMP_WORDS[i]} == -* ]]; do
		i=$((i + 1))
	done
	if [ "$i" -eq "$COMP_CWORD" ]; then
		if [[ $cur == -* ]]; then
			_edgefw_offer "${fields[*]:2}" "$cur"
			return 0
		fi
		for line in "${lines[@]:1}"; do
			name=${line%%$'\t'*}
			words+=" ${name%% *}"
		done
		_edgefw_offer "$words" "$cur"
		return 0
	fi

	# The command: one word, or a word and a verb (set add).
	first=${COMP_WORDS[i]}
	for line in "${lines[@]:1}"; do
		name=${line%%$'\t'*}
		[[ $name == "$first "* ]] && verbs+=" ${name#* }"
	done
	j=$((i + 1))
	if [ -n "$verbs" ]; then
		if [ "$j" -eq "$COMP_CWORD" ]; then
			_edgefw_offer "$verbs" "$cur"
			return 0
		fi
		first+=" ${COMP_WORDS[j]}"
		j=$((j + 1))
	fi
	spec=''
	for line in "${lines[@]:1}"; do
		[[ $line == "$first"$'\t'* ]] && spec=$line
	done
	[ -n "$spec" ] || return 0
	_edgefw_fields "$spec"
	for line in "${fields[@]:2}"; do
		options+=" ${line%% *}"
		[[ $line == *' '* ]] && takes_arg+=" ${line%% *}=${line#* }"
	done

	# The value of an option: a file, one of a list (a|b|c), or free text.
	local prev=${COMP_WORDS[COMP_CWORD - 1]} arg
	if [ $((COMP_CWORD - 1)) -ge "$j" ]; then
		read -r -a args <<<"$takes_arg"
		for arg in "${args[@]}"; do
			[ "${arg%%=*}" = "$prev" ] || continue
			arg=${arg#*=}
			case $arg in
			FILE) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
			*'|'*) _edgefw_offer "${arg//|/ }" "$cur" ;;
			esac
			return 0
		done
	fi
	if [[ $cur == -* ]]; then
		_edgefw_offer "$options" "$cur"
		return 0
	fi

	# The first operand NAME is a set of the running config.
	local operands=0 k
	for ((k = j; k < COMP_CWORD; k++)); do
		[[ ${COMP_WORDS[k]} == -* ]] && continue
		[[ " $takes_arg " == *" ${COMP_WORDS[k - 1]}="* ]] && continue
		operands=$((operands + 1))
	done
	if [ "$operands" -eq 0 ] && [[ ${fields[1]} == NAME* ]]; then
		_edgefw_offer "$(_edgefw_set_names)" "$cur"
	fi
	return 0
}

complete -F _edgefw edgefw
