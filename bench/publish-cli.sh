#!/usr/bin/env bash
# bench/publish-cli.sh [DIR]: publishes kaohe as ReadyToRun for this machine's runtime into DIR
# (default bench/bin/cli, ignored by git) and prints the path of the executable. The settings are in
# src/Kaohe.Cli/Kaohe.Cli.csproj (PublishReadyToRun, and only the engine's assemblies compiled ahead);
# `dotnet run --project src/Kaohe.Cli` and `dotnet build` are unaffected.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/bin/cli}
RID=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
dotnet publish src/Kaohe.Cli -c Release -r "$RID" --self-contained false -o "$OUT" -nologo -v q >&2
echo "$OUT/kaohe"
