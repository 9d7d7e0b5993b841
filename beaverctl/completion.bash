# SPDX-License-Identifier: GPL-2.0 OR MIT
# bash completion for beaverctl(8). Install as
# /usr/share/bash-completion/completions/beaverctl.

_beaverctl_ids()
{
	# snapshot ids from the daemon, when it answers (quietly otherwise)
	local sock=()
	[[ -n $1 ]] && sock=(--socket "$1")
	beaverctl "${sock[@]}" list --limit 50 2>/dev/null |
		awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }'
}

# files: bash-completion's _filedir when it is loaded, plain compgen if not
_beaverctl_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_beaverctl()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi

	local commands="status snapshot list show export members calibrate prune genkey pubkey help"
	local global="--json --socket --help --version"
	local cmd="" socket="" i

	# the command: the first word that is not a global option or its value
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-s | --socket)
			socket=${words[i + 1]}
			((i++))
			;;
		--socket=*) socket=${words[i]#--socket=} ;;
		-*) ;;
		*)
			cmd=${words[i]}
			break
			;;
		esac
	done

	case $prev in
	-s | --socket | --svg)
		_beaverctl_files
		return
		;;
	--timeout | --interval | --count | --limit | --before)
		# a number: nothing to offer
		return
		;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$global" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	snapshot)
		COMPREPLY=($(compgen -W "--wait --timeout --count --interval --json --help" -- "$cur"))
		;;
	list)
		COMPREPLY=($(compgen -W "--limit --before --json --help" -- "$cur"))
		;;
	show)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--svg --json --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "latest $(_beaverctl_ids "$socket")" -- "$cur"))
		fi
		;;
	export)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "latest $(_beaverctl_ids "$socket")" -- "$cur"))
		fi
		;;
	calibrate)
		COMPREPLY=($(compgen -W "--count --json --help" -- "$cur"))
		;;
	prune)
		COMPREPLY=($(compgen -W "--keep --older-than --json --help" -- "$cur"))
		;;
	genkey | pubkey)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		else
			_beaverctl_files
		fi
		;;
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		;;
	status | members)
		COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		;;
	esac
}

complete -F _beaverctl beaverctl
