#!/usr/bin/env bash
# bench/run.sh [--quick]: every figure of issues 9 and 20 in one run, one "name: value" line each.
# Needs what ./test.sh installs (PostgreSQL 15 server binaries); starts its own throwaway
# PostgreSQL, application instances and the bare Kestrel baseline on loopback ports. A whole run publishes the
# web application ReadyToRun (bench/publish-web.sh) and runs that; the part cli (bench/parts/10-cli.sh) publishes
# the CLI (bench/publish-cli.sh) and times kaohe score/validate on the national file.
# --quick: shorter load runs (10 s instead of 30 s) and fewer latency samples; < 10 minutes.
# --only NAME: the bare Kestrel baseline and the one part bench/parts/*-NAME.sh (e.g. --only survey),
#   building only the projects the parts use; no engine figures, no cold start.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
QUICK=0; ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY=${2:?--only needs a part name}; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--only PART]" >&2; exit 2 ;;
  esac
  shift
done
LOAD_SECONDS=$([ $QUICK = 1 ] && echo 10 || echo 30)
SAMPLES=$([ $QUICK = 1 ] && echo 200 || echo 1000)
WORK=$(mktemp -d /tmp/kaohe-bench.XXXX)
OUT="$WORK/figures.txt"; : >"$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log() { echo "[bench] $*" >&2; }
figure() { echo "$1: $2" | tee -a "$OUT"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PIDS=()
PGBIN=/usr/lib/postgresql/15/bin; PGD=""
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  if [ -n "$PGD" ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate stop >/dev/null 2>&1; rm -rf "$PGD"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

log "building (Release)"
if [ -z "$ONLY" ]; then
  dotnet build Kaohe.sln -c Release -nologo -v q >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log"; exit 1; }
else
  for proj in src/Kaohe.Web src/Kaohe.Cli bench/Kaohe.Load; do
    dotnet build "$proj" -c Release -nologo -v q >>"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log"; exit 1; }
  done
fi
# The web application the instances run: in a whole run, published as the release bundle publishes it
# (ReadyToRun, bench/publish-web.sh), so that the figures, the cold start first, are those of what is deployed; with
# --only, the build output (no publish to wait for) unless KAOHE_BENCH_PUBLISH=1.
WEB=$ROOT/src/Kaohe.Web/bin/Release/net10.0/Kaohe.Web.dll
WEB_DIR=$ROOT/src/Kaohe.Web   # the content root (appsettings.json, wwwroot)
if [ -z "$ONLY" ] || [ "${KAOHE_BENCH_PUBLISH:-0}" = 1 ]; then
  log "publishing the web application (ReadyToRun)"
  WEB=$(bench/publish-web.sh "$WORK/web" 2>"$WORK/publish-web.log") || { tail -30 "$WORK/publish-web.log" >&2; exit 1; }
  WEB_DIR=$(dirname "$WEB")
fi
LOAD=bench/Kaohe.Load/bin/Release/net10.0/Kaohe.Load.dll
GEN=src/Kaohe.Cli/bin/Release/net10.0/kaohe.dll   # `kaohe generate`: the national dataset and the survey codes
BENCH=bench/Kaohe.Bench/bin/Release/net10.0/Kaohe.Bench.dll

# Starts the application: start_app NAME PORT DATADIR [extra env...]; waits for /healthz.
# The per-request access log (Microsoft.AspNetCore.Hosting.Diagnostics, two lines a request) is
# off, as in the production topology where nginx keeps the access log (docs/deploy.md).
start_app() {
  local name=$1 port=$2 dir=$3; shift 3
  (cd "$WEB_DIR" && exec env Kaohe__DataDir="$dir" Logging__LogLevel__Default=Warning \
     Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=Warning \
     Logging__LogLevel__Kaohe.Web.Features.Results.ResultsStore=Information "$@" \
     dotnet "$WEB" --urls "http://127.0.0.1:$port" >"$WORK/$name.log" 2>&1) &
  PIDS+=($!)
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$name did not start:"; tail -20 "$WORK/$name.log" >&2; return 1
}
stop_apps() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; wait 2>/dev/null; PIDS=(); }
token() { curl -fs -X POST -H 'Content-Type: application/json' -d "{\"username\":\"$2\",\"password\":\"$3\"}" "http://127.0.0.1:$1/api/v1/auth/token" | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])'; }

# national_sqlite: prints the data directory of the national-scale SQLite dataset, generated once per run.
NATIONAL_PASSWORD=Bench-office-2023
# KAOHE_BENCH_NATIONAL=DIR keeps a pristine copy in DIR between runs (generated there once); each run
# works on its own copy, since parts change the data.
national_sqlite() {
  local dir="$WORK/national" keep=${KAOHE_BENCH_NATIONAL:-}
  if [ ! -f "$dir/.done" ]; then
    local into=${keep:-$dir}
    if [ ! -f "$into/.done" ]; then
      rm -rf "$into"
      log "generating the national dataset (SQLite)"
      dotnet "$ROOT/$GEN" generate --scale national --out "$into" --password "$NATIONAL_PASSWORD" >"$WORK/generate.log" 2>&1 \
        || { tail -20 "$WORK/generate.log" >&2; return 1; }
      touch "$into/.done"
    fi
    if [ "$into" != "$dir" ]; then cp -r "$into" "$dir" || return 1; fi
  fi
  echo "$dir"
}
# start_pg: starts one throwaway PostgreSQL for the run (as the postgres user) and sets PG_CS.
PG_CS=""
start_pg() {
  [ -n "$PG_CS" ] && return 0
  PGD=$(mktemp -d /tmp/kaohe-bench-pg.XXXX); chown postgres "$PGD"
  local port; port=$(free_port)
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGD/data" -U postgres --auth=trust >/dev/null || return 1
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" \
    -o "-p $port -k $PGD -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" -w start >/dev/null || return 1
  PG_CS="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

# --- 1. The engine (one core) ---------------------------------------------------------------
if [ -z "$ONLY" ]; then
  log "engine"
  taskset -c 0 dotnet "$BENCH" --figures | tee -a "$OUT"

fi

# --- 2. Bare Kestrel: the ceiling every HTTP figure is compared with --------------------------
BARE_PORT=$(free_port)
dotnet "$LOAD" bare --port "$BARE_PORT" & PIDS+=($!)
sleep 1.5
log "bare Kestrel, 64 connections, ${LOAD_SECONDS}s"
dotnet "$LOAD" load --url "http://127.0.0.1:$BARE_PORT/api/v1/survey/x" --method POST --body '{"answers":{}}' \
  --connections 64 --seconds "$LOAD_SECONDS" --prefix bare_kestrel | tee "$WORK/bare.txt" | tee -a "$OUT" >/dev/null
BARE_RPS=$(sed -n 's/^bare_kestrel_rps: //p' "$WORK/bare.txt")   # the baseline of the survey ratios
stop_apps

# --- Parts: each bench/parts/*.sh is sourced in order and prints its own figures ---------------
for part in bench/parts/*.sh; do
  [ -f "$part" ] || continue
  [ -n "$ONLY" ] && [[ "$(basename "$part" .sh)" != *-"$ONLY" ]] && continue
  log "part $(basename "$part")"
  # shellcheck source=/dev/null
  source "$part"
  stop_apps
done

# --- 3. Cold start: a stopped instance with its data, started again, to the first page -------
if [ -n "$ONLY" ]; then echo; echo "# all figures"; cat "$OUT"; exit 0; fi
log "cold start"
DEMO="$WORK/demo"; PORT=$(free_port)
start_app first "$PORT" "$DEMO" Kaohe__DemoPassword=Bench-pass-2023 Kaohe__AdminPassword=Bench-admin-2023 || exit 1
stop_apps
# The port must be free again: the first instance has really exited.
while curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do sleep 0.1; done
T0=$(date +%s.%N)
(cd "$WEB_DIR" && exec env Kaohe__DataDir="$DEMO" Logging__LogLevel__Default=Warning dotnet "$WEB" --urls "http://127.0.0.1:$PORT" >"$WORK/cold.log" 2>&1) & COLD=$!; PIDS+=($COLD)
until curl -fs -o /dev/null "http://127.0.0.1:$PORT/Account/Login"; do sleep 0.05; done
T1=$(date +%s.%N)
# The process's CPU time (user + system, all threads) up to that page: on a shared machine the wall time is mostly
# the wait for a core, this is not.
read -r UT ST < <(awk '{print $14, $15}' "/proc/$COLD/stat")
figure cold_start_s "$(python3 -c "print(f'{$T1 - $T0:.2f}')")"
figure cold_start_cpu_s "$(python3 -c "print(f'{($UT + $ST) / $(getconf CLK_TCK):.2f}')")"
figure cold_start_load "$(cut -d' ' -f1 /proc/loadavg)"
stop_apps

echo
echo "# all figures"
cat "$OUT"
