#!/usr/bin/env bash
# deploy/build-bundle.sh VERSION [RID...]   (default RIDs: linux-x64 linux-arm64)
#
# Builds one release bundle per runtime: deploy/out/kaohe-VERSION-RID.tar.gz, holding the web
# application and the kaohe CLI, each published self-contained (no .NET needed on the server), the
# systemd unit, the nginx site, the documented settings file, install.sh, upgrade.sh, SHA256SUMS of
# every file, and a CycloneDX SBOM of the packages (sbom.cdx.json). Needs the .NET SDK and the
# packages (the first build of a RID restores its runtime packs); the server needs nothing of that.
# An arm64 bundle's binaries are checked to be aarch64 ELF files: it cannot run on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: deploy/build-bundle.sh VERSION [RID...]}
[[ $version =~ ^[0-9A-Za-z][0-9A-Za-z.+-]*$ ]] || { echo "VERSION: letters, digits, . + - only" >&2; exit 1; }
shift
rids=("$@"); [ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)
out=${KAOHE_BUNDLE_OUT:-deploy/out}
mkdir -p "$out"; out=$(cd "$out" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

# The SBOM is the same for every runtime: the packages of both projects.
echo "SBOM (CycloneDX)" >&2
dotnet tool restore >/dev/null
# The bundle ships two programs that no longer reference each other (docs/architecture.md, "Projects"): one SBOM
# each, --recursive taking in the projects they reference (engine, data, providers, demo, generator), merged into one.
for p in Web Cli; do
  dotnet tool run dotnet-CycloneDX "src/Kaohe.$p/Kaohe.$p.csproj" --recursive --output "$work/sbom-$p" --filename sbom.cdx.json \
    --output-format Json --set-name Kaohe --set-version "$version" --exclude-test-projects >&2
done
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
bom = json.load(open(f"{w}/sbom-Web/sbom.cdx.json"))
cli = json.load(open(f"{w}/sbom-Cli/sbom.cdx.json"))
key = lambda c: c.get("bom-ref") or c.get("purl") or f"{c['name']}@{c.get('version', '')}"
seen = {key(c) for c in bom.get("components", [])}
for c in cli.get("components", []):
    if key(c) not in seen:
        bom.setdefault("components", []).append(c)
        seen.add(key(c))
refs = {d["ref"] for d in bom.get("dependencies", [])}
bom.setdefault("dependencies", []).extend(d for d in cli.get("dependencies", []) if d["ref"] not in refs)
json.dump(bom, open(f"{w}/sbom.cdx.json", "w"), indent=2)
print(f"SBOM: {len(bom['components'])} components", file=sys.stderr)
PY

elf_machine() {  # the e_machine field of an ELF file: 62 x86-64, 183 aarch64
  [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] || { echo none; return; }
  od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '
}

for rid in "${rids[@]}"; do
  case "$rid" in linux-x64) machine=62 ;; linux-arm64) machine=183 ;; *) echo "unsupported RID $rid" >&2; exit 1 ;; esac
  name=kaohe-$version-$rid
  root=$work/$name
  echo "$name: publishing the web application and the CLI (self-contained)" >&2
  mkdir -p "$root/release/bin" "$root/etc"
  # The binaries do not carry VERSION (it is the bundle's VERSION file), so bundles of one commit can share one
  # publish: KAOHE_BUNDLE_PUBLISH_CACHE=DIR keeps it (the install test builds two versions from one publish).
  cache=${KAOHE_BUNDLE_PUBLISH_CACHE:-}
  if [ -n "$cache" ] && [ -f "$cache/$rid/commit" ] && [ "$(cat "$cache/$rid/commit")" = "$commit" ]; then
    echo "$name: reusing the publish of commit $commit in $cache/$rid" >&2
    cp -a "$cache/$rid/app" "$root/release/app"; cp -a "$cache/$rid/cli" "$root/release/cli"
  else
    dotnet publish src/Kaohe.Web -c Release -r "$rid" --self-contained true -o "$root/release/app" -nologo -v q -p:UseAppHost=true >&2
    dotnet publish src/Kaohe.Cli -c Release -r "$rid" --self-contained true -o "$root/release/cli" -nologo -v q >&2
    if [ -n "$cache" ]; then
      rm -rf "${cache:?}/$rid"; mkdir -p "$cache/$rid"
      cp -a "$root/release/app" "$root/release/cli" "$cache/$rid/"; echo "$commit" > "$cache/$rid/commit"
    fi
  fi
  # The demo-data generator's output and the development settings have no place on a server.
  rm -f "$root/release/app/appsettings.Development.json"
  for bin in "$root/release/app/Kaohe.Web" "$root/release/cli/kaohe"; do
    got=$(elf_machine "$bin")
    [ "$got" = "$machine" ] || { echo "$bin: ELF machine $got, expected $machine for $rid" >&2; exit 1; }
  done
  cp deploy/files/kaohe-web deploy/files/kaohectl "$root/release/bin/"
  ln -s ../cli/kaohe "$root/release/bin/kaohe"
  cp deploy/files/install.sh deploy/files/upgrade.sh "$root/"
  cp deploy/files/kaohe.env deploy/files/kaohe.service deploy/files/nginx-kaohe.conf deploy/files/common.sh "$root/etc/"
  echo "$version" > "$root/VERSION"
  cp "$work/sbom.cdx.json" "$root/sbom.cdx.json"
  cat > "$root/README.txt" <<TXT
Kaohe 考核 $version ($rid), built from commit $commit.
安装 / install:  sudo ./install.sh            (或 / or ./install.sh --user --prefix DIR)
升级 / upgrade:  sudo ./upgrade.sh            (备份、换版本、迁移数据库、健康检查失败则回滚)
See docs/deploy.md of the source for the whole procedure.
TXT
  (cd "$root" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
  tar -C "$work" -czf "$out/$name.tar.gz" "$name"
  (cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
  rm -rf "$root"
  echo "$out/$name.tar.gz" 
done
