#!/usr/bin/env bash
# Installs what the tests need (PostgreSQL server start, Chromium and a CJK font for Playwright, nginx),
# builds the solution and runs every test project. Ends with one line: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
RESULTS="$ROOT/.test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The test processes start many hosts; none may watch its files with inotify (a per-user limit shared with every
# other process of the user; see tests/Kaohe.Web.Tests/Infrastructure/NoFileWatchers.cs).
export DOTNET_hostBuilder__reloadConfigOnChange=false DOTNET_USE_POLLING_FILE_WATCHER=true

log() { echo "[test.sh] $*" >&2; }

# --- System packages the tests need -------------------------------------------------------
need_pkgs=()
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need_pkgs+=(fonts-wqy-microhei)
fc-list 2>/dev/null | grep -qi "tibetan" || need_pkgs+=(fonts-tibetan-machine)   # the Tibetan survey (lang=bo) in Chromium, 4 MB installed
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_pkgs+=(postgresql-15)
[ -x /usr/sbin/nginx ] || need_pkgs+=(nginx)   # the scale-out tests put two instances behind it
command -v soffice >/dev/null 2>&1 || need_pkgs+=(libreoffice-writer-nogui)   # the bulletin .docx is converted to PDF in a test
command -v pdftotext >/dev/null 2>&1 || need_pkgs+=(poppler-utils)             # … and its text read back
[ -e /usr/share/zoneinfo/Asia/Kathmandu ] || need_pkgs+=(tzdata)   # the office-time-zone test (Kaohe:TimeZone) shows times at UTC+05:45
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  if [ "$(id -u)" = 0 ]; then
    # No service may start during the install (nginx would take port 80): the tests start their own.
    own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; own_policy=1; fi
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}") >"$RESULTS/apt.log" 2>&1 \
      || log "apt-get failed (see $RESULTS/apt.log); tests that need these will fail"
    [ $own_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  else
    log "not root: cannot install ${need_pkgs[*]}"
  fi
fi

# --- Throwaway PostgreSQL 15 ---------------------------------------------------------------
PGBIN=/usr/lib/postgresql/15/bin
PGD=""
stop_pg() {
  if [ -n "$PGD" ] && [ -d "$PGD/data" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGD"
  fi
}
trap stop_pg EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
if [ -x "$PGBIN/initdb" ] && [ "$(id -u)" = 0 ]; then
  PGD=$(mktemp -d /tmp/kaohe-pg.XXXX); chown postgres "$PGD"
  PGPORT=$(free_port)
  if runuser -u postgres -- "$PGBIN/initdb" -D "$PGD/data" -A trust -U postgres >"$RESULTS/initdb.log" 2>&1 &&
     runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w start \
       -o "-p $PGPORT -k $PGD -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" >/dev/null 2>&1; then
    export KAOHE_TEST_PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
    export KAOHE_TEST_PG_DIR="$PGD" KAOHE_TEST_PG_BIN="$PGBIN" KAOHE_TEST_PG_PORT="$PGPORT"
    log "PostgreSQL 15 on 127.0.0.1:$PGPORT"
  else
    log "PostgreSQL did not start (see $RESULTS/initdb.log)"
  fi
fi
export KAOHE_CHROMIUM=/usr/bin/chromium

# --- Build and test ------------------------------------------------------------------------
build_ok=1
if ! dotnet build Kaohe.sln -c Release -nologo -v q >"$RESULTS/build.log" 2>&1; then
  build_ok=0
  grep -E "error|Error" "$RESULTS/build.log" | head -40 >&2
fi

# --- Format: the .editorconfig's whitespace rules hold everywhere but in generated migrations and compiled models --
format_ok=1
if ! dotnet format whitespace --folder --verify-no-changes --include src/ tests/ bench/ \
    --exclude src/Kaohe.Data.Sqlite/Migrations/ src/Kaohe.Data.Postgres/Migrations/ \
    src/Kaohe.Data.Sqlite/CompiledModel/ src/Kaohe.Data.Postgres/CompiledModel/ >"$RESULTS/format.log" 2>&1; then
  format_ok=0
  log "dotnet format found whitespace to fix (dotnet format whitespace --folder fixes it):"
  grep -o '^[^(]*' "$RESULTS/format.log" | sort | uniq -c | head -20 >&2
fi

# --- EF compiled models: the checked-in ones are what dotnet ef generates from the model now -------------
model_ok=1
if ! scripts/compiled-model.sh --check >"$RESULTS/compiled-model.log" 2>&1; then
  model_ok=0
  head -20 "$RESULTS/compiled-model.log" >&2
fi

status=0
if [ $build_ok = 1 ]; then
  for proj in tests/*/*.csproj; do
    name=$(basename "$proj" .csproj)
    log "running $name"
    dotnet test "$proj" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" \
      --logger "console;verbosity=minimal" 2>&1 | grep -vE "^\s*$" | tail -n 60 || true
  done
fi

# --- Release bundle: built, installed, upgraded and rolled back (deploy/install-test.sh) -----
# Builds two self-contained linux-x64 bundles (the first publish of a clean clone is the long part) and
# runs them on SQLite and on the PostgreSQL above; bounded, and counted in the summary line below.
install_counts="$RESULTS/install-test.counts"
if [ $build_ok = 1 ]; then
  log "running deploy/install-test.sh"
  install_start=$SECONDS
  timeout 1800 deploy/install-test.sh "$install_counts" >"$RESULTS/install-test.log" 2>&1 || true
  grep -E "FAIL|passed, .* failed|took" "$RESULTS/install-test.log" | tail -n 40
  log "install test: $((SECONDS - install_start)) s"
fi

# --- Summary line CI reads -----------------------------------------------------------------
passed=0; failed=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$c")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
done
n_proj=$(ls tests/*/*.csproj 2>/dev/null | wc -l); n_trx=$(ls "$RESULTS"/*.trx 2>/dev/null | wc -l)
if [ $build_ok = 0 ]; then failed=$((failed + 1)); log "build failed"; fi
if [ $format_ok = 0 ]; then failed=$((failed + 1)); log "format check failed (see $RESULTS/format.log)"; fi
if [ $model_ok = 0 ]; then failed=$((failed + 1)); log "compiled model check failed (see $RESULTS/compiled-model.log)"; fi
if [ -f "$install_counts" ]; then
  read -r ip if_ < "$install_counts"; passed=$((passed + ip)); failed=$((failed + if_))
elif [ $build_ok = 1 ]; then failed=$((failed + 1)); log "deploy/install-test.sh did not finish (see $RESULTS/install-test.log)"; fi
if [ "$n_trx" -lt "$n_proj" ]; then failed=$((failed + n_proj - n_trx)); log "$((n_proj - n_trx)) test project(s) produced no results"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
