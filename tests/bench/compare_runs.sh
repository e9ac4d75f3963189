#!/bin/sh
# compare_runs.sh OLD NEW: every table and results.json (and the --draws-out
# file) of the Almere study, the bench reference model and a model whose
# value of information is not 0 (tests/bench/voi), at several draws
# and threads, byte for byte between two mkba binaries (results.json without
# its run date, commit, seconds and threads). Extra arguments go to NEW only
# (e.g. --memory-budget 0), and only to the runs without --draws-out.
OLD=$1; NEW=$2; shift 2; EXTRA="$*"; R=$(cd "$(dirname "$0")/../.." && pwd); T=$(mktemp -d); fail=0
run() { # tag bin args...
  rt=$1; bin=$2; shift 2
  "$bin" run "$@" -q --no-charts --out $T/$rt >/dev/null 2>$T/$rt.err || echo "FAIL $rt: $(cat $T/$rt.err)"
}
strip() { grep -v '"seconds"\|"threads"\|"run_date"\|"commit"' "$1" | sed 's/old-/X-/g; s/new-/X-/g'; }
V=$R/tests/bench/voi # three projects, value of information not 0
for case in "a1:--draws 3000 --threads 1" "a2:--draws 70000 --threads 2" "b1:--draws 5000 --threads 1" "b2:--draws 300000 --threads 2" "b3:--draws 300000 --threads 1" "c1:--draws 3000 --threads 1" "c2:--draws 200000 --threads 2"; do
  tag=${case%%:*}; args=${case#*:}
  case $tag in a*) model="$R/scenarios/almere-pilot.ini $R/scenarios/almere-liaison.ini";;
    c*) model="$V/project.ini $V/bigger.ini $V/smaller.ini";; *) model=$R/tests/bench/project.ini;; esac
  for dout in 0 1; do
    t=$tag$dout; o=""; n=""
    [ $dout = 1 ] && { o="--draws-out $T/old-$t.csv"; n="--draws-out $T/new-$t.csv"; }
    run old-$t $OLD $model $args --seed 11 $o
    x=$EXTRA; [ $dout = 1 ] && x=""
    run new-$t $NEW $model $args --seed 11 $n $x
    for f in $(cd $T/old-$t && ls); do
      if [ "$f" = results.json ]; then strip $T/old-$t/$f > $T/o.json; strip $T/new-$t/$f > $T/n.json; cmp -s $T/o.json $T/n.json
      else cmp -s $T/old-$t/$f $T/new-$t/$f; fi || { echo "DIFF $t $f"; fail=1; }
    done
    [ $dout = 1 ] && { cmp -s $T/old-$t.csv $T/new-$t.csv || { echo "DIFF $t draws-out"; fail=1; }; }
    echo "$t: $(ls $T/old-$t | wc -l) files compared"
  done
done
rm -rf $T; [ $fail = 0 ] && echo "ALL IDENTICAL"; exit $fail
