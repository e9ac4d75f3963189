#!/bin/sh
# Run each Check test program given as an argument; print its summary and a
# total. Under MKBA_VALGRIND=1 each program runs under valgrind (memcheck,
# leak check) and any valgrind error fails the suite.
# Tests find the mkba binary through MKBA_BIN and the source tree through
# MKBA_SRCDIR (the current directory).
set -u
MKBA_SRCDIR=${MKBA_SRCDIR:-$(pwd)}
export MKBA_SRCDIR
failed=0
passed=0
for t in "$@"; do
    name=$(basename "$t")
    if [ "${MKBA_VALGRIND:-0}" = 1 ]; then
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --suppressions=tests/valgrind.supp "$t" > "$t.log" 2>&1
    else
        "$t" > "$t.log" 2>&1
    fi
    rc=$?
    summary=$(grep -E '^[0-9]+%: Checks:' "$t.log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf '  PASS  %-24s %s\n' "$name" "$summary"
    else
        failed=$((failed + 1))
        printf '  FAIL  %-24s %s (exit %d)\n' "$name" "$summary" "$rc"
        sed 's/^/        /' "$t.log" | tail -n 40
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
