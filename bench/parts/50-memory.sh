# bench/parts/50-memory.sh (sourced by bench/run.sh): issue 20, on the national SQLite dataset (3,000 units, ~1M facts,
# 1,000,000 survey responses of 2023-Q1) in a freshly started instance:
# - surveys_first_view_s: the first /Surveys view of 2023-Q1 after a start (the office's page with the live counts of a
#   million answers), the office having run 更新统计 of the quarter before that start; surveys_first_view_cpu_s, the app's
#   CPU time for it; and surveys_second_view_s, the same page again (nothing added: the counts under the same stamp);
# - app_rss_mb_national: the application's resident set (VmRSS) after the first ranking of every category of 2023-Q1
#   (GET /api/v1/results/2023-Q1/{category}; the dataset scores housing, 3,000 units, whose draft the store then holds), and
#   app_peak_rss_mb_national, its highest (VmHWM) since the start.
part_memory() {
  local dir port tok base pid period=2023-Q1 t0 t1 c
  dir=$(national_sqlite) || { log "memory: no national dataset"; return 0; }
  port=$(free_port)
  start_app memory "$port" "$dir" || return 0
  pid=${PIDS[-1]}
  tok=$(token "$port" office "$NATIONAL_PASSWORD") || { log "memory: no office token"; return 0; }
  base="http://127.0.0.1:$port"
  # The page itself must answer (200), not a redirect to the sign-in page.
  view() {
    local code
    t0=$(date +%s.%N)
    code=$(curl -s -o "$WORK/surveys.html" -w '%{http_code}' -H "Authorization: Bearer $tok" "$base/Surveys?period=$period")
    t1=$(date +%s.%N)
    [ "$code" = 200 ] || log "memory: /Surveys answered $code"
    figure "$1" "$(python3 -c "print(f'{$t1 - $t0:.2f}')")"
  }
  # The office has run 更新统计 of the quarter (as it does while collecting; docs/surveys.md): the job, then a fresh
  # start, whose first view starts from what the tally counted. Before the tally recorded what it counted, the tally
  # changed nothing for the page, so the figure compares across that change.
  local job state
  job=$(curl -s -X POST -H "Authorization: Bearer $tok" "$base/api/v1/jobs/survey-tallies?period=$period" | python3 -c 'import sys,json;print(json.load(sys.stdin).get("id",""))')
  for _ in $(seq 1 1200); do
    state=$(curl -s -H "Authorization: Bearer $tok" "$base/api/v1/jobs/$job" | python3 -c 'import sys,json;j=json.load(sys.stdin);print(j.get("status",""))')
    case "$state" in Succeeded|Failed|Cancelled) break ;; esac
    sleep 0.5
  done
  log "memory: 更新统计 of $period: $state"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  start_app memory "$port" "$dir" || return 0
  pid=${PIDS[-1]}
  tok=$(token "$port" office "$NATIONAL_PASSWORD") || { log "memory: no office token"; return 0; }
  # The app's own CPU time for the view (utime + stime, in clock ticks), which the machine's load inflates less than the wall time.
  cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  local c0
  c0=$(cpu)
  view surveys_first_view_s
  figure surveys_first_view_cpu_s "$(python3 -c "print(f'{($(cpu) - $c0) / $(getconf CLK_TCK):.2f}')")"
  view surveys_second_view_s
  # The national dataset has one category with a scheme (housing, 3,000 units; NationalDatabase.Category): the
  # others answer without results, and are asked all the same, as a reader going through the categories would.
  for c in housing urban affiliated divisions; do
    log "memory: ranking of $c: HTTP $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$base/api/v1/results/$period/$c")"
  done
  figure app_rss_mb_national "$(awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$pid/status")"
  figure app_peak_rss_mb_national "$(awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$pid/status")"
}
part_memory
