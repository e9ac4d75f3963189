# bash completion for mkba                                  -*- shell-script -*-
#
# Installed by `make install` as share/bash-completion/completions/mkba.
# The commands and each command's options are read from the program's own
# help (`mkba --help`, `mkba help COMMAND`: the texts the man page is made
# from), so they cannot go out of date. An option's argument is completed
# by what its help line names: FILE a file (of the kind the option takes),
# DIR a directory, "nl|en" one of the words; scenario, model and spec files
# are .ini files.

# The mkba being completed ($1 as bash passes it; ~ expanded).
_mkba_bin()
{
    local bin=$1
    [[ $bin == "~"/* ]] && bin=$HOME/${bin#"~/"}
    printf '%s\n' "$bin"
}

# The commands: the first word of each line under "Commands:".
_mkba_commands()
{
    "$1" --help 2>/dev/null |
        awk '/^Commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}'
}

# Each option of command $2 with its argument ("-" when it takes none):
# "--out DIR", "-q -", from the help lines that start with an option.
_mkba_option_table()
{
    "$1" help "$2" 2>/dev/null | awk '
        /^  +-/ {
            n = split($0, w, " ")
            arg = "-"
            for (i = 1; i <= n && w[i] ~ /^-/; i++)
                ;
            if (i <= n && w[i] ~ /^[A-Z]+(,[A-Z]+)?$|\|/)
                arg = w[i]
            for (j = 1; j < i; j++) {
                o = w[j]
                sub(/,$/, "", o)
                print o, arg
            }
        }'
}

# Files ending in .$1 (any file when $1 is empty), and directories to go
# into, matching $2.
_mkba_files()
{
    local ext=$1 cur=$2 f
    compopt -o filenames 2>/dev/null
    while IFS= read -r f; do
        COMPREPLY+=("$f")
    done < <(if [[ -n $ext ]]; then compgen -f -X "!*.$ext" -- "$cur"; else compgen -f -- "$cur"; fi
             compgen -d -- "$cur")
}

_mkba()
{
    local bin cur prev cmd i opt arg
    COMPREPLY=()
    bin=$(_mkba_bin "${COMP_WORDS[0]}")
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --opt=value: bash splits at '=' (COMP_WORDBREAKS)
    if [[ $cur == "=" ]]; then
        cur=
    elif [[ $prev == "=" && $COMP_CWORD -ge 2 ]]; then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$(_mkba_commands "$bin") --help --version" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    if [[ $cmd == help ]]; then
        [[ $COMP_CWORD -eq 2 ]] && COMPREPLY=($(compgen -W "$(_mkba_commands "$bin")" -- "$cur"))
        return
    fi

    local table
    table=$(_mkba_option_table "$bin" "$cmd")
    [[ -z $table ]] && return
    # The argument of the option before the cursor.
    arg=$(awk -v o="$prev" '$1 == o {print $2; exit}' <<<"$table")
    if [[ -n $arg && $arg != "-" ]]; then
        case $arg in
        FILE)
            case $prev in
            --reference) _mkba_files ini "$cur" ;;
            --report) _mkba_files html "$cur" ;;
            --xlsx) _mkba_files xlsx "$cur" ;;
            --draws-out | --out) _mkba_files csv "$cur" ;;
            *) _mkba_files "" "$cur" ;;
            esac
            ;;
        DIR)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -d -- "$cur"))
            ;;
        *"|"*) COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur")) ;;
        esac
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(awk '{print $1}' <<<"$table")" -- "$cur"))
        return
    fi
    # the files a command reads: scenario, model or spec files
    _mkba_files ini "$cur"
}
complete -F _mkba mkba
