#!/usr/bin/env bash
# bench/growth.sh: how the engine and the CLI grow with the number of units (issue 20) — the national
# workload with its formula leaves at 300, 3,000 and 30,000 units (groups of the same sizes, the same
# tree), as the tables of bench/README.md ("Growth"). The engine in process on one core
# (Kaohe.Bench --growth); the CLI (published ReadyToRun) as a whole process, median of 5 runs (3 at
# 30,000 units), on the compact version 1 file of each scale. Takes a few minutes and ~3 GB of memory.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/kaohe-growth.XXXX)
trap 'rm -rf "$WORK"' EXIT
dotnet build bench/Kaohe.Bench -c Release -nologo -v q >&2
BENCH=bench/Kaohe.Bench/bin/Release/net10.0/Kaohe.Bench.dll
KAOHE=$(bench/publish-cli.sh "$WORK/cli")

echo "### Engine (in process, one core)"
echo
taskset -c 0 dotnet "$BENCH" --growth
echo
echo "### CLI (whole process, compact version 1 file)"
echo
echo "| scale | units | file MB | kaohe score s | kaohe validate s |"
echo "|---|---:|---:|---:|---:|"
for scale in tenth national ten-times; do
  dotnet "$BENCH" --file "$scale" "$WORK/$scale.json"
  runs=$([ "$scale" = ten-times ] && echo 3 || echo 5)
  units=$(case $scale in tenth) echo 300 ;; national) echo 3,000 ;; *) echo 30,000 ;; esac)
  mb=$(python3 -c "import os; print(f'{os.path.getsize(\"$WORK/$scale.json\") / 1e6:.1f}')")
  echo "| $scale | $units | $mb | $(bench/median-seconds.py "$runs" "$KAOHE" score "$WORK/$scale.json") | $(bench/median-seconds.py "$runs" "$KAOHE" validate "$WORK/$scale.json") |"
  rm -f "$WORK/$scale.json"
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
