#!/bin/bash
# check_mpi.sh MKBA MKBA_MPI - the MPI build (make MPI=1) under mpirun -np 1,
# 2 and 3 against the normal build: every output file (tables, results.json,
# charts, the draws, the report, the workbook's sheets) and the printed
# results the same byte for byte, whatever the number of processes; and
# a failure on any process ends every process with an error and one message.
#
# Masked before comparing: the run's date and time (results.json, the report,
# the workbook), the Monte Carlo line that gives threads, processes and
# seconds, and the workbook's zip timestamps (its sheets are compared
# unpacked). Nothing else may differ.
set -u
MKBA=$1
MKBA_MPI=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Root (CI) may run mpirun; --oversubscribe lets 3 processes share 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# No cross-memory attach (containers often forbid it): plain shared memory.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN=(timeout 300 mpirun --oversubscribe --bind-to none)
command -v mpirun >/dev/null || { echo "check-mpi: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
FULL=1
ok() { pass=$((pass + 1)); printf '  PASS  check-mpi  %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf '  FAIL  check-mpi  %s\n' "$1"; }

# A copy of a run's directory with what may differ masked: the run date
# (2024-01-02T03:04:05Z, and the date alone in the report), the Monte Carlo
# line of the printed results; .xlsx files unpacked.
mask() {
    python3 - "$1" "$2" <<'EOF'
import os, re, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
stamp = re.compile(rb'\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\dZ)?')
mc = re.compile(rb'\nUncertainty \(Monte Carlo: [^\n]*\n')
def put(rel, data):
    data = mc.sub(b'\nUncertainty (Monte Carlo: ...)\n', stamp.sub(b'DATE', data))
    path = os.path.join(dst, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, 'wb').write(data)
for d, _, files in os.walk(src):
    for f in files:
        rel = os.path.relpath(os.path.join(d, f), src)
        if f.endswith('.xlsx'):
            with zipfile.ZipFile(os.path.join(d, f)) as z:
                for n in z.namelist():
                    put(rel + '/' + n, z.read(n))
        else:
            put(rel, open(os.path.join(d, f), 'rb').read())
EOF
}

# run NAME NP ARGS...: in $T/NAME-NP (NP 0: the normal build) with --out out
# and (FULL=1) the report, workbook and draws inside; stdout in stdout.txt,
# stderr in stderr.txt.
run() {
    local name=$1 np=$2
    shift 2
    local dir=$T/$name-$np
    mkdir -p "$dir/run"
    local bin=("$MKBA")
    [ "$np" -gt 0 ] && bin=("${MPIRUN[@]}" -np "$np" "$MKBA_MPI")
    local extra=(--report out/report.html --xlsx out/mkba.xlsx --draws-out out/draws.csv)
    [ "$FULL" = 1 ] || extra=()
    (cd "$dir/run" && "${bin[@]}" run "$@" --out out "${extra[@]}" >stdout.txt 2>stderr.txt)
    echo $? >"$dir/run/rc"
}

# same NAME ARGS...: the normal build once, the MPI build on 1, 2 and 3
# processes (NPS: on those), and every file compared.
same() {
    local name=$1
    shift
    local start=$SECONDS
    run "$name" 0 "$@"
    if [ "$(cat "$T/$name-0/run/rc")" != 0 ]; then
        bad "$name: the normal build failed: $(cat "$T/$name-0/run/stderr.txt")"
        return
    fi
    mask "$T/$name-0/run" "$T/$name-0/masked"
    for np in ${NPS:-1 2 3}; do
        run "$name" "$np" "$@"
        mask "$T/$name-$np/run" "$T/$name-$np/masked"
        local n
        n=$(find "$T/$name-0/masked" -type f | wc -l)
        if diff -r "$T/$name-0/masked" "$T/$name-$np/masked" >"$T/diff" 2>&1; then
            ok "$name: mpirun -np $np: $n files and the printed results identical"
        else
            bad "$name: mpirun -np $np differs from one process:"
            head -20 "$T/diff"
        fi
    done
    echo "        ($name: $((SECONDS - start)) s)"
}

E2E=$ROOT/tests/data/e2e/project.ini
ALMERE=("$ROOT/scenarios/almere-pilot.ini" "$ROOT/scenarios/almere-liaison.ini")

# The hand-worked example: a last block of 3001 - 11 * 256 = 185 draws, 101
# replicates (34, 33, 34 on 3 processes), the one-way analysis and Sobol
# indices (rank 0's only).
same e2e "$E2E" --draws 3001 --bootstrap 101 --seed 7 --sensitivity --sobol 256
# Fewer blocks (2) than processes: some have no share (a run takes at
# least MKBA_BOOTSTRAP_MIN = 100 replicates, more than the processes).
same e2e-small "$E2E" --draws 300 --bootstrap 100 --no-charts
# Almere: both projects, the bootstrap of its cohort, payback and IRR.
same almere "${ALMERE[@]}" --draws 20000 --bootstrap 200
# Past MKBA_SIM_KEEP_BYTES of item PVs (32 MiB / 8 / (2 x 13 + 1) = 155,344
# draws of Almere's): rank 0 regenerates them (sim.h).
FULL=0 same almere-regen "${ALMERE[@]}" --draws 160000 --bootstrap 100 --no-charts
# Streamed (nothing per draw kept): every rank makes every K-th chunk of
# draws and runs the statistics of its share of the columns, fed the other
# ranks' chunks (several chunks of MKBA_MC_CHUNK draws, in rounds of one
# per rank); the same files.
FULL=0 same almere-streamed "${ALMERE[@]}" --draws 140000 --bootstrap 100 --no-charts --memory-budget 0
# Three projects whose value of information is not 0 (society's NPV goes to
# the sums' rank and the inputs' ranks), with charts: society's NPV curve
# from its draws kept by its rank, or (--memory-budget 0) from a second
# pass that makes the chunks again for those columns alone. (These on 2
# and 3 processes: -np 1 runs one process's code, checked above.)
V=$ROOT/tests/bench/voi
VOI=("$V/project.ini" "$V/bigger.ini" "$V/smaller.ini")
FULL=0 NPS="2 3" same voi-streamed "${VOI[@]}" --draws 140000
FULL=0 NPS="2 3" same voi-two-passes "${VOI[@]}" --draws 300000 --memory-budget 0
# One chunk (fewer than the ranks: the others make none), in two passes.
FULL=0 NPS="2 3" same voi-one-chunk "${VOI[@]}" --draws 10000 --memory-budget 0
# An input whose sums overflow (values near 1e200) takes a second pass of
# its own: the chunks' makers make that input alone again.
mkdir -p "$T/huge"
cp "$V"/*.ini "$T/huge/"
printf '\n[param.huge]\ndistribution = uniform(1e200, 9e200)\n' >>"$T/huge/reference.ini"
FULL=0 NPS="2 3" same input-pass "$T/huge/project.ini" "$T/huge/bigger.ini" --draws 140000 --no-charts

# Processes that would choose differently whether to stream (here by their
# options; on mixed nodes by their memory) take rank 0's way: no hang, and
# rank 0's results.
(cd "$T" && "${MPIRUN[@]}" -np 1 "$MKBA_MPI" run "${ALMERE[@]}" --draws 70000 --bootstrap 100 -q \
    --no-charts --out mixed : -np 1 "$MKBA_MPI" run "${ALMERE[@]}" --draws 70000 --bootstrap 100 \
    -q --no-charts --out mixed --memory-budget 0 >"$T/out.txt" 2>"$T/err.txt")
rc=$?
if [ $rc = 0 ] && [ -s "$T/mixed/mc_summary.csv" ]; then
    ok "processes that would choose differently whether to stream: rank 0's way, exit 0"
else
    bad "processes that would choose differently whether to stream: exit $rc, stderr:"
    cat "$T/err.txt"
fi

# A failure on rank 0 alone (its output check: --out names a file): every
# process exits 1, the message is said once, nothing hangs.
touch "$T/afile"
(cd "$T" && "${MPIRUN[@]}" -np 3 "$MKBA_MPI" run "$E2E" --draws 1000 --out afile -q \
    >"$T/out.txt" 2>"$T/err.txt")
rc=$?
if [ $rc = 1 ] && [ "$(grep -c 'is a file, not a directory\|not a directory' "$T/err.txt")" = 1 ] &&
    ! grep -q 'MPI rank' "$T/err.txt"; then
    ok "rank 0's failure: exit 1 on every process, one message"
else
    bad "rank 0's failure: exit $rc, stderr:"
    cat "$T/err.txt"
fi
# Process 1 reads another model than process 0 (the same name in another
# directory): both stop with exit 1, each saying it once.
mkdir -p "$T/a" "$T/b"
cp "$ROOT"/tests/data/e2e/*.ini "$ROOT"/tests/data/e2e/*.csv "$T/a/"
cp "$ROOT"/tests/data/e2e/*.ini "$ROOT"/tests/data/e2e/*.csv "$T/b/"
echo "# another copy" >>"$T/b/model.ini"
timeout 300 mpirun --oversubscribe --bind-to none -np 1 --wdir "$T/a" "$MKBA_MPI" run project.ini \
    --draws 100 -q : -np 1 --wdir "$T/b" "$MKBA_MPI" run project.ini --draws 100 -q \
    >"$T/out.txt" 2>"$T/err.txt"
rc=$?
if [ $rc = 1 ] && grep -q '^mkba: MPI rank 1: read other input files than rank 0' "$T/err.txt" &&
    grep -q '^mkba: MPI rank 1 failed (its message is above)' "$T/err.txt" &&
    [ "$(grep -c '^mkba: ' "$T/err.txt")" = 2 ]; then
    ok "other inputs on rank 1: exit 1, said by rank 1 and rank 0"
else
    bad "other inputs on rank 1: exit $rc, stderr:"
    cat "$T/err.txt"
fi
# Bad input (every process fails the same way) and a usage error: one message.
printf '[model]\nname = x\n' >"$T/bad.ini"
(cd "$T" && "${MPIRUN[@]}" -np 2 "$MKBA_MPI" run "$T/bad.ini" --draws 10 >"$T/out.txt" 2>"$T/err.txt")
rc=$?
if [ $rc = 1 ] && [ "$(grep -c '^mkba: ' "$T/err.txt")" = 1 ] && [ ! -s "$T/out.txt" ]; then
    ok "bad input: exit 1, one message"
else
    bad "bad input: exit $rc, stderr:"
    cat "$T/err.txt"
fi
(cd "$T" && "${MPIRUN[@]}" -np 2 "$MKBA_MPI" run --draws x >"$T/out.txt" 2>"$T/err.txt")
rc=$?
if [ $rc = 2 ] && [ "$(grep -c '^mkba: ' "$T/err.txt")" = 1 ]; then
    ok "usage error: exit 2, one message"
else
    bad "usage error: exit $rc, stderr:"
    cat "$T/err.txt"
fi

echo "check-mpi: $pass passed, $fail failed"
[ "$fail" = 0 ]
