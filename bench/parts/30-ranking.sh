# bench/parts/30-ranking.sh (sourced by bench/run.sh): issue 9, the ranking page and the explanation
# API at national scale. On the national SQLite dataset (3,000 units in 104 ranking groups, four
# quarters, ~1M facts): one instance, an office token, one warm-up request (the first computation of
# the quarter's results, printed as ranking_first_ms), then $SAMPLES requests of the ranking page for
# varying groups and $SAMPLES of the explanation API for varying units and indicators, 8 connections.
# Also prints the server's CPU milliseconds per request and the load average (the machine is shared).
# Prints ranking_p50_ms ranking_p95_ms ranking_p99_ms explain_p50_ms explain_p95_ms explain_p99_ms, and
# ranking_after_change_ms (the p95 of the first ranking request after one fact changes).
ranking_part() {
  local dir port tok base period=2023-Q1
  dir=$(national_sqlite) || { log "ranking: no national dataset"; return 1; }
  port=$(free_port)
  start_app ranking "$port" "$dir" || return 1
  tok=$(token "$port" office "$NATIONAL_PASSWORD") || { log "ranking: no office token"; return 1; }
  base="http://127.0.0.1:$port"
  local t0 t1
  t0=$(date +%s.%N)
  curl -fs -H "Authorization: Bearer $tok" "$base/api/v1/results/$period/housing" >"$WORK/ranking-groups.json" || { log "ranking: warm-up failed"; tail -20 "$WORK/ranking.log" >&2; return 1; }
  t1=$(date +%s.%N)
  figure ranking_first_ms "$(python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')")"
  # Where the first computation went (ResultsStore logs its stages).
  grep -ho '"Message":"results of [^"]*' "$WORK/ranking.log" | tail -1 | sed 's/^"Message":"/[bench] /' >&2
  curl -fs -o /dev/null -H "Authorization: Bearer $tok" "$base/Results?period=$period&category=housing" || { log "ranking: page failed"; return 1; }
  # Request lists: every group in turn; random units, half on their total, half on a leaf.
  python3 - "$WORK/ranking-groups.json" "$SAMPLES" "$WORK/ranking-urls.txt" "$WORK/explain-urls.txt" <<'PY'
import json, random, sys, urllib.parse
doc = json.load(open(sys.argv[1])); n = int(sys.argv[2]); rnd = random.Random(20231)
groups = [g["name"] for g in doc["groups"]]
with open(sys.argv[3], "w") as f:
    for i in range(n): f.write(urllib.parse.quote(groups[i % len(groups)]) + "\n")
units = ["u%04d" % i for i in range(3000)]
with open(sys.argv[4], "w") as f:
    for i in range(n):
        u = rnd.choice(units)
        f.write(u + ("/explain" if i % 2 == 0 else "/explain?node=L%02d" % rnd.randint(1, 60)) + "\n")
PY
  local conns=8 pid=${PIDS[-1]} hz c0 c1 c2
  hz=$(getconf CLK_TCK)
  cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }   # the app's user + system CPU time, in ticks
  c0=$(cpu)
  dotnet "$LOAD" load --url "$base/Results?period=$period&category=housing&group={token}" --tokens "$WORK/ranking-urls.txt" \
    --header "Authorization: Bearer $tok" --connections "$conns" --requests "$SAMPLES" --seconds 600 --warmup 0 --prefix ranking >"$WORK/ranking.txt"
  c1=$(cpu)
  dotnet "$LOAD" load --url "$base/api/v1/results/$period/housing/units/{token}" --tokens "$WORK/explain-urls.txt" \
    --header "Authorization: Bearer $tok" --connections "$conns" --requests "$SAMPLES" --seconds 600 --warmup 0 --prefix explain >"$WORK/explain.txt"
  c2=$(cpu)
  local name
  for name in ranking_p50_ms ranking_p95_ms ranking_p99_ms ranking_rps ranking_status explain_p50_ms explain_p95_ms explain_p99_ms explain_rps explain_status; do
    figure "$name" "$(sed -n "s/^$name: //p" "$WORK/${name%%_*}.txt")"
  done
  # Server CPU per request: what a request costs, whatever else runs on the machine.
  figure ranking_cpu_ms_per_request "$(python3 -c "print(f'{($c1 - $c0) * 1000 / $hz / $SAMPLES:.2f}')")"
  figure explain_cpu_ms_per_request "$(python3 -c "print(f'{($c2 - $c1) * 1000 / $hz / $SAMPLES:.2f}')")"
  figure ranking_load_average "$(cut -d' ' -f1 /proc/loadavg)"
  # The first ranking request after one fact changes (issue 15): the office imports a one-row .xlsx (批量导入,
  # the import job: the counted value of one unit and leaf is superseded by a new one), waits for the job, then
  # asks for the ranking of that unit's group and times it; repeated. The results store reads the changed
  # unit's facts and rescores its group instead of reading the quarter again.
  local rounds i one unit value code job t status times=()
  rounds=$([ "$QUICK" = 1 ] && echo 20 || echo 50)
  curl -fs -H "Authorization: Bearer $tok" -o "$WORK/one.xlsx" "$base/api/v1/jobs/fact-import/template?period=$period&filled=true&max=1" \
    || { log "ranking: no import template"; return 1; }
  read -r unit value < <(python3 - "$WORK/one.xlsx" <<'PY'
import re, sys, zipfile
x = zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode()
print(re.search(r'r="A2"[^>]*><x:v>([^<]+)<', x).group(1), re.search(r'r="C2"[^>]*><x:v>([^<]+)<', x).group(1))
PY
)
  for i in $(seq 1 "$rounds"); do
    python3 - "$WORK/one.xlsx" "$WORK/change.xlsx" "$value" "$i" <<'PY'
import re, sys, zipfile
src, dst, value, i = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
zin = zipfile.ZipFile(src)
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename == "xl/worksheets/sheet1.xml":
            data = re.sub(r'(r="C2"[^>]*><x:v>)[^<]+(<)', lambda m: m.group(1) + repr(round(value * (1 + 0.001 * i), 6)) + m.group(2), data.decode()).encode()
        zout.writestr(item, data)
PY
    job=$(curl -fs -H "Authorization: Bearer $tok" -F "file=@$WORK/change.xlsx" "$base/api/v1/jobs/fact-import?period=$period" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])') \
      || { log "ranking: the one-row import was refused"; break; }
    for _ in $(seq 1 600); do
      status=$(curl -fs -H "Authorization: Bearer $tok" "$base/api/v1/jobs/$job" | grep -o '"status":"[A-Za-z]*"' | head -1)
      case "$status" in *Succeeded*|*Failed*) break ;; esac
      sleep 0.05
    done
    [[ "$status" == *Succeeded* ]] || { log "ranking: the one-row import $job ended $status"; break; }
    t=$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok" "$base/api/v1/results/$period/housing?unit=$unit") || { log "ranking: the ranking after a change failed"; break; }
    times+=("$t")
  done
  if [ ${#times[@]} -gt 0 ]; then
    read -r p50 p95 < <(printf '%s\n' "${times[@]}" | python3 -c 'import math,sys; v=sorted(float(x)*1000 for x in sys.stdin); q=lambda p: v[min(len(v)-1, math.ceil(p*len(v))-1)]; print(f"{q(0.5):.1f} {q(0.95):.1f}")')
    figure ranking_after_change_ms "$p95"
    figure ranking_after_change_p50_ms "$p50"
    figure ranking_after_change_samples "${#times[@]}"
  fi
  # How the store took the last change (a line of the app's log; none is no failure of the part).
  grep -ho '"Message":"results of [^"]*refreshed[^"]*' "$WORK/ranking.log" | tail -1 | sed 's/^"Message":"/[bench] /' >&2 || true
}
ranking_part || log "ranking part failed"
