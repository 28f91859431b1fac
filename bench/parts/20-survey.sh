# bench/parts/20-survey.sh — public survey submissions (issue 9, items 2–3), sourced by bench/run.sh.
# POST /api/v1/survey/{token}, each code used once, 64 connections, driven by Kaohe.Load exactly as
# the bare Kestrel baseline ($BARE_RPS). On SQLite, then on PostgreSQL:
#   the app starts (empty, no demo), Kaohe.Generate --survey-codes issues the codes into its database,
#   the load runs, then the stored responses are counted against the 2xx the load tool was given
#   (warm-up included): survey_lost_* must be 0 — acknowledged means stored — and the audit chain
#   is verified with `kaohe verify-audit`.
# The per-address rate limit stays on; it is raised for the run (all traffic comes from 127.0.0.1).
# The per-request access log (Microsoft.AspNetCore.Hosting.Diagnostics at Information in appsettings:
# two JSON lines on stdout per request) is off, as the bare baseline has none: with it on, the
# console logger's queue fills and blocks request threads (see bench/README.md, "Survey submissions").
# Figures: survey_rps_sqlite, survey_vs_bare_kestrel_sqlite, survey_rps_postgres,
# survey_vs_bare_kestrel_postgres, survey_p99_ms (the worse of the two), survey_lost_*, survey_audit_*.

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

# survey_run KIND DATADIR GENERATOR-TARGET... -- APP-ENV...
survey_run() {
  local kind=$1 dir=$2; shift 2
  local target=() env=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do target+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  env=("$@")
  local port; port=$(free_port)
  start_app "survey_$kind" "$port" "$dir" Kaohe__Demo=false Kaohe__AdminPassword=Bench-admin-2023 \
    Kaohe__SurveyPerMinute=100000000 Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=Warning "${env[@]}" || return 1
  log "survey ($kind): issuing $SURVEY_CODES codes"
  dotnet "$ROOT/$GEN" --survey-codes "$SURVEY_CODES" "${target[@]}" --codes "$WORK/survey_$kind.codes" \
    --body "$WORK/survey_$kind.body" >"$WORK/survey_codes_$kind.log" 2>&1 || { tail -20 "$WORK/survey_codes_$kind.log" >&2; return 1; }
  log "survey ($kind): 64 connections, ${LOAD_SECONDS}s"
  dotnet "$LOAD" load --url "http://127.0.0.1:$port/api/v1/survey/{token}" --method POST --tokens "$WORK/survey_$kind.codes" \
    --body "$(cat "$WORK/survey_$kind.body")" --connections 64 --seconds "$LOAD_SECONDS" --prefix "survey_$kind" >"$WORK/survey_$kind.txt"
  cat "$WORK/survey_$kind.txt" >&2
  local rps p99 acked stored
  rps=$(sed -n "s/^survey_${kind}_rps: //p" "$WORK/survey_$kind.txt")
  p99=$(sed -n "s/^survey_${kind}_p99_ms: //p" "$WORK/survey_$kind.txt")
  acked=$(sed -n "s/^survey_${kind}_acknowledged: //p" "$WORK/survey_$kind.txt")
  stop_apps   # a clean stop: whatever was acknowledged must be in the database now
  if [ "$kind" = sqlite ]; then stored=$(survey_count sqlite "$dir"); else stored=$(survey_count postgres); fi
  figure "survey_rps_$kind" "$rps"
  figure "survey_vs_bare_kestrel_$kind" "$(python3 -c "print(f'{$rps / $BARE_RPS:.2f}')")"
  figure "survey_p99_ms_$kind" "$p99"
  figure "survey_lost_$kind" "$(( acked > stored ? acked - stored : 0 ))"
  log "survey ($kind): $acked acknowledged, $stored stored"
  SURVEY_P99=$(python3 -c "print(max($SURVEY_P99, $p99))")
  local verify
  if [ "$kind" = sqlite ]; then verify=(--data-dir "$dir"); else verify=(--postgres "${target[1]}"); fi
  if dotnet "$ROOT/$CLI" verify-audit "${verify[@]}" >"$WORK/survey_audit_$kind.log" 2>&1; then figure "survey_audit_$kind" ok
  else figure "survey_audit_$kind" broken; tail -5 "$WORK/survey_audit_$kind.log" >&2; fi
}

survey_run sqlite "$WORK/survey-sqlite" --out "$WORK/survey-sqlite" --

if start_pg; then
  SURVEY_PG_PORT=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$PG_CS")
  "$PGBIN/psql" -h 127.0.0.1 -p "$SURVEY_PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE kaohe_survey" >/dev/null
  SURVEY_PG_CS="Host=127.0.0.1;Port=$SURVEY_PG_PORT;Username=postgres;Database=kaohe_survey;Maximum Pool Size=200"
  survey_run postgres "$WORK/survey-pg" --postgres "$SURVEY_PG_CS" -- Database__Provider=Postgres "ConnectionStrings__Kaohe=$SURVEY_PG_CS"
else
  log "survey: PostgreSQL did not start"
fi
figure survey_p99_ms "$SURVEY_P99"
