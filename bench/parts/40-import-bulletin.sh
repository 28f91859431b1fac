# bench/parts/40-import-bulletin.sh — issue 9 items 2–4: a 100,000-fact .xlsx import and the 3,000-unit bulletin,
# both through the HTTP API as the office, i.e. the same code path as the UI (/Jobs): the upload starts a
# background job (Features/Jobs) and the figure is the time from the start of the upload to the job's end,
# found by polling GET /api/v1/jobs/{id}. Prints import_100k_s, import_peak_mb, bulletin_3000_s
# (and bulletin_direct_s: the synchronous GET of the .docx, for comparison).
# On a shared, overloaded machine the wall-clock figures mostly measure the queue for the cores, so the part
# also prints the CPU time the application process spent (utime + stime from /proc, all its threads, GC
# included) over the same interval: import_100k_cpu_s, bulletin_3000_cpu_s — the best estimate of the
# uncontended time of work that is essentially one thread.
# import_peak_mb is the application process's peak resident set (VmHWM) during the import: the peak is
# reset (clear_refs 5) just before the upload, so it is the process's whole RSS at its highest while
# importing (the runtime, the loaded app and the import together), not the import's increment alone.
# A function, not a subshell: the application it starts must be in run.sh's PIDS, which stop_apps ends.
part_import_bulletin() {
  NAT=$(national_sqlite) || return 0
  DIR="$WORK/import-national"; rm -rf "$DIR"; cp -r "$NAT" "$DIR"
  PORT=$(free_port)
  start_app import "$PORT" "$DIR" Logging__LogLevel__Kaohe.Web.Features.Collection.FactImport=Information \
    Logging__LogLevel__Kaohe.Web.Features.Jobs.BulletinJob=Information || return 0
  APP_PID=${PIDS[-1]}
  TOKEN=$(token "$PORT" office "$NATIONAL_PASSWORD") || { log "no token"; return 0; }
  PERIOD=2023-Q2
  URL="http://127.0.0.1:$PORT"
  # The 100,000 rows: the period's current values of the importable leaves (unit reports and direct scores),
  # exported by the application itself; importing them supersedes the same number of counted facts.
  curl -fs -H "Authorization: Bearer $TOKEN" -o "$WORK/import-100k.xlsx" "$URL/api/v1/jobs/fact-import/template?period=$PERIOD&filled=true&max=100000" \
    || { log "template download failed"; return 0; }
  log "import file: $(python3 -c "import zipfile,re,sys; z=zipfile.ZipFile('$WORK/import-100k.xlsx'); print([n for n in z.namelist() if 'sheet' in n][:2], '$(stat -c %s "$WORK/import-100k.xlsx") bytes')")"
  # Waits for a job to finish; prints its final JSON.
  wait_job() {
    local id=$1
    while true; do
      local j; j=$(curl -fs -H "Authorization: Bearer $TOKEN" "$URL/api/v1/jobs/$id") || return 1
      # grep, not a python3 per poll: the client must not take the cores it is measuring.
      if [[ "$j" == *'"finished":true'* ]]; then echo "$j"; return 0; fi
      sleep 0.1
    done
  }
  job_id() { python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])'; }
  # CPU seconds (user + system) the application process has used so far.
  cpu_s() { python3 -c "import os; f=open('/proc/$APP_PID/stat').read().rsplit(')',1)[1].split(); print((int(f[11])+int(f[12]))/os.sysconf('SC_CLK_TCK'))"; }
  sleep 2
  echo 5 > "/proc/$APP_PID/clear_refs" 2>/dev/null || log "cannot reset the peak RSS; import_peak_mb includes start-up"
  C0=$(cpu_s); T0=$(date +%s.%N)
  ID=$(curl -fs -H "Authorization: Bearer $TOKEN" -F "file=@$WORK/import-100k.xlsx" "$URL/api/v1/jobs/fact-import?period=$PERIOD" | job_id) || { log "import upload failed"; return 0; }
  RESULT=$(wait_job "$ID")
  T1=$(date +%s.%N); C1=$(cpu_s)
  PEAK_KB=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$APP_PID/status")
  echo "$RESULT" | python3 -c 'import sys,json; j=json.load(sys.stdin); print("[bench] import:", j["status"], j["message"] or j["error"])' >&2
  figure import_100k_s "$(python3 -c "print(f'{$T1 - $T0:.2f}')")"
  figure import_peak_mb "$(python3 -c "print(round($PEAK_KB / 1024))")"
  figure import_100k_cpu_s "$(python3 -c "print(f'{$C1 - $C0:.2f}')")"

  C0=$(cpu_s); T0=$(date +%s.%N)
  ID=$(curl -fs -X POST -H "Authorization: Bearer $TOKEN" "$URL/api/v1/jobs/bulletin?period=$PERIOD" | job_id) || { log "bulletin job failed to start"; return 0; }
  RESULT=$(wait_job "$ID")
  T1=$(date +%s.%N); C1=$(cpu_s)
  echo "$RESULT" | python3 -c 'import sys,json; j=json.load(sys.stdin); print("[bench] bulletin:", j["status"], j["message"] or j["error"])' >&2
  figure bulletin_3000_s "$(python3 -c "print(f'{$T1 - $T0:.2f}')")"
  figure bulletin_3000_cpu_s "$(python3 -c "print(f'{$C1 - $C0:.2f}')")"
  C0=$(cpu_s); T0=$(date +%s.%N)
  curl -fs -H "Authorization: Bearer $TOKEN" -o "$WORK/bulletin.docx" "$URL/api/v1/periods/$PERIOD/bulletin.docx" || log "direct bulletin download failed"
  T1=$(date +%s.%N); C1=$(cpu_s)
  figure bulletin_direct_s "$(python3 -c "print(f'{$T1 - $T0:.2f}')")"
  figure bulletin_direct_cpu_s "$(python3 -c "print(f'{$C1 - $C0:.2f}')")"
  # The phases, from the application's own log (FactImport and BulletinJob log them at Information).
  grep -ho '"Message":"\(Import\|Bulletin\|results of\) [^"]*"' "$WORK/import.log" | sed 's/^"Message":"/[bench]   /; s/"$//' >&2
}
part_import_bulletin
