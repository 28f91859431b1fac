#!/usr/bin/env bash
# bench/publish-web.sh [DIR]: publishes the web application as the release bundle does (dotnet publish -r RID,
# ReadyToRun: PublishReadyToRun in src/Kaohe.Web/Kaohe.Web.csproj) for this machine's runtime into DIR (default
# bench/bin/web, ignored by git) and prints the path of Kaohe.Web.dll. Framework-dependent, unlike the bundle
# (self-contained): the shared framework installed here is ReadyToRun already, as the bundle's copy of it is, so
# the code that starts is precompiled in both. `dotnet run --project src/Kaohe.Web` and `dotnet build` are unaffected.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/bin/web}
RID=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
dotnet publish src/Kaohe.Web -c Release -r "$RID" --self-contained false -o "$OUT" -nologo -v q >&2
echo "$OUT/Kaohe.Web.dll"
