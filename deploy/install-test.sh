#!/usr/bin/env bash
# deploy/install-test.sh: the release bundle end to end (issue 21), called by ./test.sh.
# Builds the linux-x64 bundle twice from this commit (versions 1.0.0-test and 1.0.1-test; the second reuses
# the first one's publish, as the binaries do not carry the version), then for
# SQLite (inside a network namespace with no way out: the install uses no network) and for the test
# PostgreSQL (KAOHE_TEST_PG): installs 1.0.0 into a temporary prefix with --user, starts it, checks
# /healthz, signs in, writes something; tries an upgrade whose health check is made to fail and checks
# that it rolled back with the data; upgrades to 1.0.1 and checks the data survived.
# Prints one line "N passed, M failed" (and writes the counts to $1 if given).
set -uo pipefail
cd "$(dirname "$0")/.."
counts_file=${1:-}
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL $*"; }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
finish() {
  echo "$passed passed, $failed failed"
  [ -n "$counts_file" ] && echo "$passed $failed" > "$counts_file"
  [ "$failed" -eq 0 ]; exit $?
}
work=$(mktemp -d /tmp/kaohe-install-test.XXXX)
pids_to_stop=()
cleanup() {
  for p in "$work"/sqlite/prefix "$work"/pg/prefix; do
    [ -x "$p/current/bin/kaohectl" ] && "$p/current/bin/kaohectl" stop "$p/etc/kaohe.env" "$p/run" >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT
t0=$SECONDS

echo "[install-test] building bundles"
export KAOHE_BUNDLE_OUT=$work/out KAOHE_BUNDLE_PUBLISH_CACHE=$work/publish
for v in 1.0.0-test 1.0.1-test; do
  if deploy/build-bundle.sh "$v" linux-x64 >"$work/build-$v.log" 2>&1; then ok "bundle $v built"; else bad "bundle $v built (see below)"; tail -20 "$work/build-$v.log"; finish; fi
done
for v in 1.0.0-test 1.0.1-test; do
  mkdir -p "$work/b-$v" && tar -C "$work/b-$v" -xzf "$work/out/kaohe-$v-linux-x64.tar.gz"
done
b1=$work/b-1.0.0-test/kaohe-1.0.0-test-linux-x64; b2=$work/b-1.0.1-test/kaohe-1.0.1-test-linux-x64
check "bundle has SHA256SUMS that verify" bash -c "cd '$b1' && sha256sum --quiet -c SHA256SUMS"
check "bundle has a CycloneDX SBOM naming its packages" python3 -c "
import json,sys; b=json.load(open('$b1/sbom.cdx.json')); n={c['name'] for c in b['components']}
sys.exit(0 if b['bomFormat']=='CycloneDX' and {'Npgsql.EntityFrameworkCore.PostgreSQL','Microsoft.AspNetCore.Authentication.OpenIdConnect'}<=n else 1)"
check "web binary is an x86-64 ELF file" bash -c "file -b '$b1/release/app/Kaohe.Web' | grep -q 'x86-64'"
# Published ReadyToRun (src/Kaohe.Web/Kaohe.Web.csproj, src/Kaohe.Cli/Kaohe.Cli.csproj): a start runs precompiled code, not the JIT.
check "web application and CLI are ReadyToRun" python3 deploy/ready-to-run.py "$b1/release/app/Kaohe.Web.dll" "$b1/release/cli/kaohe.dll" "$b1/release/cli/Kaohe.Scoring.dll"
password=Install-test-2026
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# scenario NAME PROVIDER [CONNECTIONSTRING]: the whole life of one installation (run in the namespace for SQLite).
scenario() {
  local name=$1 provider=$2 cs=${3:-} dir=$work/$1
  local prefix=$dir/prefix env=$dir/prefix/etc/kaohe.env port; port=$(free_port)
  local url=http://127.0.0.1:$port
  mkdir -p "$dir"
  echo "[install-test] $name: install"
  if "$b1/install.sh" --user --prefix "$prefix" >"$dir/install.log" 2>&1; then ok "$name: install.sh --user"; else bad "$name: install.sh"; cat "$dir/install.log"; return; fi
  check "$name: install.sh printed the next steps" grep -q "kaohectl start" "$dir/install.log"
  # What the operator edits: port, database, first password; the demo, so that there is data to keep.
  sed -i -e "s|^ASPNETCORE_URLS=.*|ASPNETCORE_URLS=$url|" -e "s|^Kaohe__Demo=false|Kaohe__Demo=true|" \
         -e "s|^#Kaohe__AdminPassword=.*|Kaohe__AdminPassword=$password|" -e "s|^#Kaohe__DemoPassword=.*|Kaohe__DemoPassword=$password|" -e "s|^Database__Provider=.*|Database__Provider=$provider|" "$env"
  [ -n "$cs" ] && echo "ConnectionStrings__Kaohe=\"$cs\"" >> "$env"
  echo "# operator's note" >> "$env"
  # A second install refuses and leaves the configuration as it was.
  if "$b1/install.sh" --user --prefix "$prefix" >"$dir/install2.log" 2>&1; then bad "$name: a second install.sh refuses"; else ok "$name: a second install.sh refuses"; fi
  check "$name: the configuration was kept" grep -q "operator's note" "$env"

  "$prefix/current/bin/kaohectl" start "$env" "$prefix/run" >/dev/null
  if wait_healthy "$url/healthz" 180; then ok "$name: /healthz after the first start"; else bad "$name: /healthz after the first start"; tail -30 "$prefix/run/kaohe.log"; return; fi
  local token; token=$(curl -fsS "$url/api/v1/auth/token" -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  if [ -n "$token" ]; then ok "$name: admin signs in with the configured password"; else bad "$name: admin signs in"; return; fi
  local viewer_before; viewer_before=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/auth/token" -H 'Content-Type: application/json' -d "{\"username\":\"viewer\",\"password\":\"$password\"}")
  check "$name: the demo's viewer signs in before the change ($viewer_before)" test "$viewer_before" = 200
  check "$name: a change (disable the demo's viewer)" curl -fsS -X POST "$url/api/v1/accounts/viewer/disable" -H "Authorization: Bearer $token"
  local units; units=$(curl -fsS "$url/api/v1/units" -H "Authorization: Bearer $token" | sha256sum)

  # An upgrade whose health check fails rolls back: old version current, data restored, up again.
  echo "[install-test] $name: an upgrade that fails its health check"
  if "$b2/upgrade.sh" --user --prefix "$prefix" --health-url "http://127.0.0.1:9/healthz" --wait 20 >"$dir/upgrade-fail.log" 2>&1; then
    bad "$name: upgrade with a failing health check exits non-zero"
  else ok "$name: upgrade with a failing health check exits non-zero"; fi
  check "$name: rolled back to 1.0.0-test" test "$(readlink "$prefix/current")" = releases/1.0.0-test
  check "$name: the old version is up after the rollback" wait_healthy "$url/healthz" 60

  echo "[install-test] $name: upgrade"
  if "$b2/upgrade.sh" --user --prefix "$prefix" >"$dir/upgrade.log" 2>&1; then ok "$name: upgrade.sh to 1.0.1-test"; else bad "$name: upgrade.sh"; cat "$dir/upgrade.log"; tail -30 "$prefix/run/kaohe.log"; fi
  check "$name: 1.0.1-test is current" test "$(readlink "$prefix/current")" = releases/1.0.1-test
  check "$name: a backup was taken" bash -c "ls -d '$prefix'/backups/1.0.0-test-before-1.0.1-test-* | grep -q ."
  check "$name: /healthz after the upgrade" wait_healthy "$url/healthz" 60
  token=$(curl -fsS "$url/api/v1/auth/token" -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  if [ -n "$token" ]; then ok "$name: admin signs in after the upgrade"; else bad "$name: admin signs in after the upgrade"; fi
  check "$name: the units survived" test "$(curl -fsS "$url/api/v1/units" -H "Authorization: Bearer $token" | sha256sum)" = "$units"
  local viewer; viewer=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/auth/token" -H 'Content-Type: application/json' -d "{\"username\":\"viewer\",\"password\":\"$password\"}")
  check "$name: the disabled account is still disabled (its right password refused: $viewer)" test "$viewer" -ge 400
  check "$name: the change is in the audit trail" bash -c "curl -fsS '$url/api/v1/audit?entityType=user&entityId=viewer' -H 'Authorization: Bearer $token' | grep -q account.disable"
  if [ "$provider" = Sqlite ]; then
    check "$name: the audit chain verifies (kaohe verify-audit)" "$prefix/current/bin/kaohe" verify-audit --data-dir "$prefix/data"
  else
    check "$name: the audit chain verifies (kaohe verify-audit)" "$prefix/current/bin/kaohe" verify-audit --postgres "$cs"
  fi
  "$prefix/current/bin/kaohectl" stop "$env" "$prefix/run" >/dev/null
}
. deploy/files/common.sh

# SQLite, with no network but the loopback device: nothing is downloaded by install or upgrade.
export -f scenario ok bad check wait_healthy setting pg_env health_url free_port die
export work b1 b2 password
unshare -n bash -c 'ip link set lo up; scenario sqlite Sqlite; echo "$passed $failed" > "$work/sqlite.counts"' || true
if [ -f "$work/sqlite.counts" ]; then read -r p f < "$work/sqlite.counts"; passed=$((passed + p)); failed=$((failed + f)); else bad "sqlite scenario did not finish"; fi

if [ -n "${KAOHE_TEST_PG:-}" ]; then
  db=kaohe_install_$$
  admin_env=$(pg_env "$KAOHE_TEST_PG")
  env $admin_env psql -q -c "CREATE DATABASE $db" >/dev/null
  cs="${KAOHE_TEST_PG/Database=postgres/Database=$db}"
  [[ $cs == *"Database=$db"* ]] || cs="$KAOHE_TEST_PG;Database=$db"
  scenario pg Postgres "$cs"
  env $admin_env psql -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
else
  bad "postgres scenario: KAOHE_TEST_PG is not set"
fi
echo "[install-test] took $((SECONDS - t0)) s"
finish
