# bench/parts/10-cli.sh (sourced by bench/run.sh): the CLI on the national file (issue 20). kaohe published
# ReadyToRun (bench/publish-cli.sh), the national workload as a compact version 1 file (13.7 MB: 3,000 units,
# 60 leaves, 228,000 values), the whole process from start to exit, median of 5. Not pinned: the reader and the
# writer use both cores. `bench/run.sh --quick --only cli` runs this part alone.
log "CLI on the national file"
[ -f "$ROOT/$BENCH" ] || dotnet build bench/Kaohe.Bench -c Release -nologo -v q >>"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; return 1; }
KAOHE=$(bench/publish-cli.sh "$WORK/cli" 2>"$WORK/publish.log") || { tail -20 "$WORK/publish.log" >&2; return 1; }
dotnet "$ROOT/$BENCH" --file national "$WORK/national.json"
figure cli_national_score_s "$(bench/median-seconds.py 5 "$KAOHE" score "$WORK/national.json")"
figure cli_national_validate_s "$(bench/median-seconds.py 5 "$KAOHE" validate "$WORK/national.json")"
figure cli_load "$(cut -d' ' -f1 /proc/loadavg)"
