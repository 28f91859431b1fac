#!/usr/bin/env bash
# The long random fuzz search (issue 17). ./test.sh runs the fuzz tests on fixed run seeds, the same
# cases every time; this script runs them again and again with new run seeds for a bounded time and
# prints every failure with the seed that replays it:
#
#   KAOHE_FUZZ_SEED=<seed> dotnet test tests/Kaohe.Web.Tests --filter "FullyQualifiedName~<test>"
#
# usage: bench/fuzz.sh [--minutes N] [--runs N] [--only web|scoring]
#   --minutes  how long to search (default 30); a pass that has started is finished
#   --runs     new run seeds per test per pass (default 3)
# Needs KAOHE_TEST_PG (as ./test.sh exports it) for the PostgreSQL fuzz classes, or root to start a
# throwaway PostgreSQL 15 of its own. Builds a copy of the work tree in a directory of its own, so
# work in the tree does not disturb a search in progress. Exits 1 when anything was found.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MINUTES=30 RUNS=3 ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT=$(mktemp -d /tmp/kaohe-fuzz.XXXX)
log() { echo "[fuzz] $*" >&2; }

PGD=""
cleanup() {
  if [ -n "$PGD" ]; then
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PGD/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGD"
  fi
}
trap cleanup EXIT
if [ -z "${KAOHE_TEST_PG:-}" ] && [ "$(id -u)" = 0 ] && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  PGD=$(mktemp -d /tmp/kaohe-fuzz-pg.XXXX); chown postgres "$PGD"
  PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$PGD/data" -A trust -U postgres >/dev/null
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PGD/data" -l "$PGD/log" -w start \
    -o "-p $PGPORT -k $PGD -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >/dev/null
  export KAOHE_TEST_PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
fi
[ -n "${KAOHE_TEST_PG:-}" ] || log "KAOHE_TEST_PG is not set: the PostgreSQL fuzz classes will fail"

declare -A FILTER=(
  [web]="FullyQualifiedName~Kaohe.Web.Tests.Fuzz&FullyQualifiedName!~OversizedBody&FullyQualifiedName!~XlsxBomb&FullyQualifiedName!~FormulaExport&FullyQualifiedName!~ProbeFindings"
  [scoring]="FullyQualifiedName~Kaohe.Scoring.Tests.Fuzz.GeneratedDocumentFuzzTests"
)
declare -A PROJECT=([web]=tests/Kaohe.Web.Tests [scoring]=tests/Kaohe.Scoring.Tests)
parts=(web scoring)
[ -n "$ONLY" ] && parts=("$ONLY")
# A copy of the work tree (tracked and new files, not bin/obj): editing or building the tree while the
# search runs changes neither what is searched nor the binaries it runs.
mkdir -p "$OUT/src"
git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$OUT/src"
for p in "${parts[@]}"; do
  log "building ${PROJECT[$p]} into $OUT/$p"
  dotnet build "$OUT/src/${PROJECT[$p]}" -c Release -nologo -v q -o "$OUT/$p" >"$OUT/build-$p.log" 2>&1 || { tail -20 "$OUT/build-$p.log" >&2; exit 2; }
done

deadline=$(( $(date +%s) + MINUTES * 60 ))
pass=0 found=0
: >"$OUT/found.txt"
while [ "$(date +%s)" -lt "$deadline" ]; do
  pass=$((pass + 1))
  for p in "${parts[@]}"; do
    dll="$OUT/$p/$(basename "${PROJECT[$p]}").dll"
    run_log="$OUT/pass-$pass-$p.log"
    KAOHE_FUZZ_RUNS=$RUNS dotnet test "$dll" --filter "${FILTER[$p]}" --logger "console;verbosity=normal" >"$run_log" 2>&1
    summary=$(grep -E "^\s+(Passed|Failed):" "$run_log" | tr -s ' ' | tr '\n' ' ')
    log "pass $pass $p: ${summary:-no summary (see $run_log)}"
    if grep -q "^\s*Failed " "$run_log"; then
      found=$((found + 1))
      {
        echo "=== pass $pass, $p ($run_log)"
        # The failing test, each kind of failure, and the seed that replays it.
        grep -E "^\s+Failed |^\s*\[[A-Z]+ .*→|replay|KAOHE_FUZZ_SEED" "$run_log" | sed 's/^\s*//' | sort -u | head -60
      } | tee -a "$OUT/found.txt"
    fi
  done
done
echo
echo "fuzz: $pass pass(es) of $RUNS new run(s) per test in $MINUTES min; $found pass(es) found something"
[ -s "$OUT/found.txt" ] && { echo "found (also in $OUT/found.txt):"; cat "$OUT/found.txt"; exit 1; }
exit 0
