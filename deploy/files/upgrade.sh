#!/usr/bin/env bash
# upgrade.sh [--prefix DIR] [--config FILE] [--user] [--health-url URL] [--wait SECONDS]
#
# Moves an installation made by install.sh to this bundle's version, offline:
#   1. stops the application;
#   2. backs up the database: SQLite with `kaohe backup` (database and attachments), PostgreSQL with
#      pg_dump (custom format) into PREFIX/backups/;
#   3. installs the new binaries beside the old ones and points PREFIX/current at them;
#   4. starts it: the application applies its database migrations at start;
#   5. waits for /healthz; if it does not answer ok, stops it, restores the backup, points current back
#      at the old version, starts that and exits 1 (rolled back).
# The configuration and the data directory are kept as they are.
set -euo pipefail
bundle=$(cd "$(dirname "$0")" && pwd)
. "$bundle/etc/common.sh"
version=$(cat "$bundle/VERSION")
prefix=/opt/kaohe; config=; user_mode=false; health=; wait_seconds=180
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --user) user_mode=true; shift ;;
    --health-url) health=$2; shift 2 ;;
    --wait) wait_seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
if $user_mode; then config=${config:-$prefix/etc/kaohe.env}; else
  [ "$(id -u)" = 0 ] || die "需要 root，或用 --user / needs root, or --user"
  config=${config:-/etc/kaohe/kaohe.env}
fi
[ -f "$config" ] || die "no configuration at $config"
[ -L "$prefix/current" ] || die "$prefix 没有安装 / no installation in $prefix (install.sh first)"
(cd "$bundle" && sha256sum --quiet -c SHA256SUMS) || die "bundle damaged: SHA256SUMS does not match"
old=$(readlink "$prefix/current"); oldver=$(basename "$old")
[ "$oldver" != "$version" ] || die "$version 已安装 / $version is already installed"
health=${health:-$(health_url "$config")}
provider=$(setting "$config" Database__Provider); provider=${provider:-Sqlite}
data=$(setting "$config" Kaohe__DataDir)
cs=$(setting "$config" ConnectionStrings__Kaohe)

service() {  # service start|stop
  if $user_mode; then "$prefix/current/bin/kaohectl" "$1" "$config" "$prefix/run"; else systemctl "$1" kaohe; fi
}
as_service() { if $user_mode; then "$@"; else runuser -u kaohe -- "$@"; fi; }

echo "升级 / upgrading $oldver → $version"
service stop
backup="$prefix/backups/$oldver-before-$version-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$prefix/backups"
case "$provider" in
  Postgres|postgres)
    mkdir -p "$backup"
    env $(pg_env "$cs") pg_dump --format=custom --file="$backup/kaohe.dump" || { service start; die "pg_dump failed: nothing changed"; }
    echo "已备份 / backed up: $backup/kaohe.dump (附件目录不受升级影响 / the attachments are not touched by an upgrade)" ;;
  *)
    as_service "$prefix/current/cli/kaohe" backup --data-dir "$data" --out "$backup" || { service start; die "kaohe backup failed: nothing changed"; }
    echo "已备份 / backed up: $backup" ;;
esac

rm -rf "$prefix/releases/$version" "$prefix/releases/$version.tmp"
cp -a "$bundle/release" "$prefix/releases/$version.tmp"
mv -T "$prefix/releases/$version.tmp" "$prefix/releases/$version"
ln -sfn "releases/$version" "$prefix/current.new" && mv -T "$prefix/current.new" "$prefix/current"
service start
if wait_healthy "$health" "$wait_seconds"; then
  echo "Kaohe $version 运行正常 / is up ($health); 备份 / backup: $backup"
  echo "旧版本保留在 / the old version stays in $prefix/releases/$oldver (确认无误后可删除 / remove it once satisfied)"
  exit 0
fi

echo "新版本未通过健康检查，回滚 / $version failed its health check: rolling back to $oldver" >&2
service stop || true
case "$provider" in
  Postgres|postgres)
    env $(pg_env "$cs") pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$(pg_env "$cs" | sed -n 's/^PGDATABASE=//p')" "$backup/kaohe.dump" ;;
  *)
    as_service "$prefix/releases/$oldver/cli/kaohe" restore --from "$backup" --data-dir "$data" --force ;;
esac
ln -sfn "$old" "$prefix/current.new" && mv -T "$prefix/current.new" "$prefix/current"
service start
if wait_healthy "$health" "$wait_seconds"; then
  echo "已回滚到 / rolled back to $oldver, which is up; 新版本的日志见 / see the log of $version" >&2
else
  echo "回滚后 $oldver 也未通过健康检查 / after the rollback $oldver does not answer either: see the log" >&2
fi
exit 1
