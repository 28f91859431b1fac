# bench/parts/20-survey.sh — public survey submissions (issue 9, items 2–3), sourced by bench/run.sh.
# POST /api/v1/survey/{token}, each code used once, 64 connections, driven by Kaohe.Load exactly as
# the bare Kestrel baseline ($BARE_RPS). On SQLite, then on PostgreSQL:
#   the app starts (empty, no demo), `kaohe generate --survey-codes` issues the codes into its database,
#   the load runs, then the stored responses are counted against the 2xx the load tool was given
#   (warm-up included): survey_lost_* must be 0 — acknowledged means stored — and the audit chain
#   is verified with `kaohe verify-audit`.
# The per-address rate limit stays on; it is raised for the run (all traffic comes from 127.0.0.1).
# The per-request access log (Microsoft.AspNetCore.Hosting.Diagnostics at Information in appsettings:
# two JSON lines on stdout per request) is off, as the bare baseline has none: with it on, the
# console logger's queue fills and blocks request threads (see bench/README.md, "Survey submissions").
# Figures: survey_rps_sqlite, survey_vs_bare_kestrel_sqlite, survey_rps_postgres,
# survey_vs_bare_kestrel_postgres, survey_p99_ms (the worse of the two), survey_lost_*, survey_audit_*,
# survey_cpu_ms_per_request_* (the app's user + system CPU over the measured run, from /proc, per 2xx)
# and survey_load_average_* (the machine is shared: read the figures with it).
#
# SURVEY_APP_ENV="NAME=VALUE ..." adds settings to both survey instances (e.g. runtime knobs to compare).
# SURVEY_PROFILE=1 (e.g. `SURVEY_PROFILE=1 bench/run.sh --quick --only survey`): after the measured
# run, a second load of the same kind runs while dotnet-trace (the repo's tool manifest; `dotnet tool
# restore`) samples the app's thread stacks for $SURVEY_PROFILE_SECONDS (default 5) and dotnet-counters
# records the runtime counters (GC, lock contention, thread pool queue). The profiled run is not part
# of the figures (tracing costs CPU), only of the acknowledged/stored check. The trace, its speedscope
# file and the summary (bench/survey-profile.py: top frames by inclusive and exclusive CPU samples,
# idle waits left out) are kept in $SURVEY_PROFILE_DIR (default /tmp/kaohe-survey-profile).

SURVEY_CODES=${SURVEY_CODES:-$([ "$QUICK" = 1 ] && echo 400000 || echo 1000000)}
CLI=src/Kaohe.Cli/bin/Release/net10.0/kaohe.dll
SURVEY_P99=0

# survey_count DB-KIND TARGET: responses stored in the bench period.
survey_count() {
  local sql="SELECT COUNT(*) FROM \"SurveyResponses\" r JOIN \"SurveySites\" s ON s.\"Id\" = r.\"SiteId\" WHERE s.\"PeriodId\" = '2031-Q1'"
  if [ "$1" = sqlite ]; then
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$2/kaohe.db" "$sql"
  else
    "$PGBIN/psql" -h 127.0.0.1 -p "$SURVEY_PG_PORT" -U postgres -d kaohe_survey -tAc "$sql"
  fi
}

# pg_cpu: CPU ticks (user + system) of the bench's PostgreSQL server: the postmaster, its live
# backends and its children that have exited. 0 when it is not running.
pg_cpu() {
  local pm; pm=$(head -1 "$PGD/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  python3 - "$pm" <<'PY'
import os, sys
pm = sys.argv[1]; total = 0
for p in os.listdir("/proc"):
    if not p.isdigit(): continue
    try: f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
    except OSError: continue
    if p == pm: total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    elif f[1] == pm: total += int(f[11]) + int(f[12])
print(total)
PY
}

# survey_load KIND PORT SECONDS PREFIX: the load of the figures: 64 connections, each code used once.
survey_load() {
  dotnet "$LOAD" load --url "http://127.0.0.1:$2/api/v1/survey/{token}" --method POST --tokens "$WORK/survey_$1.codes" \
    --body "$(cat "$WORK/survey_$1.body")" --connections 64 --seconds "$3" --prefix "$4"
}

# survey_profile KIND PORT PID: a second load, traced (dotnet-trace) and counted (dotnet-counters).
SURVEY_PROFILE_DIR=${SURVEY_PROFILE_DIR:-/tmp/kaohe-survey-profile}
survey_profile() {
  local kind=$1 port=$2 pid=$3 secs=${SURVEY_PROFILE_SECONDS:-5} dir=$SURVEY_PROFILE_DIR
  mkdir -p "$dir"; rm -f "$dir/$kind".*
  log "survey ($kind): profiling ${secs}s under load (dotnet-trace, dotnet-counters)"
  # The codes the first run did not reach.
  local used; used=$(sed -n "s/^survey_${kind}_tokens_used: //p" "$WORK/survey_$kind.txt")
  tail -n +"$(( used + 1 ))" "$WORK/survey_$kind.codes" >"$WORK/survey_${kind}_p.codes"
  cp "$WORK/survey_$kind.body" "$WORK/survey_${kind}_p.body"
  survey_load "${kind}_p" "$port" $(( secs + 6 )) "profile_$kind" >"$WORK/survey_profile_$kind.txt" & local lp=$!
  sleep 4   # the load's 2 s warm-up, and 2 s of steady state
  (cd "$ROOT" && dotnet tool run dotnet-counters -- collect -p "$pid" --refresh-interval 1 --format csv -o "$dir/$kind.counters.csv" \
     --counters System.Runtime --duration "00:00:00:$(printf %02d "$secs")" >/dev/null 2>&1) & local cp=$!
  (cd "$ROOT" && dotnet tool run dotnet-trace -- collect -p "$pid" --profile dotnet-sampled-thread-time --format Speedscope \
     -o "$dir/$kind.nettrace" --duration "00:00:00:$(printf %02d "$secs")" >"$dir/$kind.trace.log" 2>&1) || log "dotnet-trace failed: $(tail -3 "$dir/$kind.trace.log")"
  wait "$cp" "$lp"
  sed 's/^/[profile] /' "$WORK/survey_profile_$kind.txt" >&2
  python3 "$ROOT/bench/survey-profile.py" "$dir/$kind.speedscope.json" "$dir/$kind.counters.csv" >"$dir/$kind.summary.txt" 2>&1
  sed "s/^/[profile $kind] /" "$dir/$kind.summary.txt" >&2
}

# survey_run KIND DATADIR GENERATOR-TARGET... -- APP-ENV...
survey_run() {
  local kind=$1 dir=$2; shift 2
  local target=() env=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do target+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  env=("$@")
  local port; port=$(free_port)
  start_app "survey_$kind" "$port" "$dir" Kaohe__Demo=false Kaohe__AdminPassword=Bench-admin-2023 \
    Kaohe__SurveyPerMinute=100000000 Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=Warning \
    Logging__LogLevel__Kaohe.Web.Features.Surveys.SurveyWriter=Information ${SURVEY_APP_ENV:-} "${env[@]}" || return 1
  log "survey ($kind): issuing $SURVEY_CODES codes"
  dotnet "$ROOT/$GEN" generate --survey-codes "$SURVEY_CODES" "${target[@]}" --codes "$WORK/survey_$kind.codes" \
    --body "$WORK/survey_$kind.body" >"$WORK/survey_codes_$kind.log" 2>&1 || { tail -20 "$WORK/survey_codes_$kind.log" >&2; return 1; }
  log "survey ($kind): 64 connections, ${LOAD_SECONDS}s"
  local pid=${PIDS[-1]} hz c0 c1
  hz=$(getconf CLK_TCK)
  local g0 g1
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); g0=$(pg_cpu)
  survey_load "$kind" "$port" "$LOAD_SECONDS" "survey_$kind" >"$WORK/survey_$kind.txt"
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); g1=$(pg_cpu)
  figure "survey_load_average_$kind" "$(cut -d' ' -f1 /proc/loadavg)"
  cat "$WORK/survey_$kind.txt" >&2
  local rps p99 acked stored
  rps=$(sed -n "s/^survey_${kind}_rps: //p" "$WORK/survey_$kind.txt")
  p99=$(sed -n "s/^survey_${kind}_p99_ms: //p" "$WORK/survey_$kind.txt")
  acked=$(sed -n "s/^survey_${kind}_acknowledged: //p" "$WORK/survey_$kind.txt")
  # The interval covers the warm-up and the run, as acknowledged does.
  figure "survey_cpu_ms_per_request_$kind" "$(python3 -c "print(f'{($c1 - $c0) * 1000 / $hz / max(1, $acked):.3f}')")"
  # On PostgreSQL, the database server's share (its backends run on the same 2 cores).
  [ "$kind" = postgres ] && figure "survey_pg_server_cpu_ms_per_request" "$(python3 -c "print(f'{($g1 - $g0) * 1000 / $hz / max(1, $acked):.3f}')")"
  if [ "${SURVEY_PROFILE:-0}" = 1 ]; then
    survey_profile "$kind" "$port" "$pid"
    acked=$(( acked + $(sed -n "s/^profile_${kind}_acknowledged: //p" "$WORK/survey_profile_$kind.txt") ))
  fi
  stop_apps   # a clean stop: whatever was acknowledged must be in the database now
  if [ "$kind" = sqlite ]; then stored=$(survey_count sqlite "$dir"); else stored=$(survey_count postgres); fi
  figure "survey_rps_$kind" "$rps"
  figure "survey_vs_bare_kestrel_$kind" "$(python3 -c "print(f'{$rps / $BARE_RPS:.2f}')")"
  figure "survey_p99_ms_$kind" "$p99"
  figure "survey_lost_$kind" "$(( acked > stored ? acked - stored : 0 ))"
  log "survey ($kind): $acked acknowledged, $stored stored"
  # The writer's own count at shutdown: the mean batch size tells how much group commit grouped.
  grep -ho 'survey writer: [0-9]* responses stored in [0-9]* batches' "$WORK/survey_$kind.log" | tail -1 | sed 's/^/[bench]   /' >&2
  SURVEY_P99=$(python3 -c "print(max($SURVEY_P99, $p99))")
  local verify
  if [ "$kind" = sqlite ]; then verify=(--data-dir "$dir"); else verify=(--postgres "${target[1]}"); fi
  if dotnet "$ROOT/$CLI" verify-audit "${verify[@]}" >"$WORK/survey_audit_$kind.log" 2>&1; then figure "survey_audit_$kind" ok
  else figure "survey_audit_$kind" broken; tail -5 "$WORK/survey_audit_$kind.log" >&2; fi
}

survey_run sqlite "$WORK/survey-sqlite" --data-dir "$WORK/survey-sqlite" --

if start_pg; then
  SURVEY_PG_PORT=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$PG_CS")
  "$PGBIN/psql" -h 127.0.0.1 -p "$SURVEY_PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE kaohe_survey" >/dev/null
  SURVEY_PG_CS="Host=127.0.0.1;Port=$SURVEY_PG_PORT;Username=postgres;Database=kaohe_survey;Maximum Pool Size=200"
  survey_run postgres "$WORK/survey-pg" --postgres "$SURVEY_PG_CS" -- Database__Provider=Postgres "ConnectionStrings__Kaohe=$SURVEY_PG_CS"
else
  log "survey: PostgreSQL did not start"
fi
figure survey_p99_ms "$SURVEY_P99"
