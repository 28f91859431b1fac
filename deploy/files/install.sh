#!/usr/bin/env bash
# install.sh [--prefix DIR] [--config FILE] [--data DIR] [--user]
#
# Installs this bundle offline (nothing is downloaded). Default: a system installation (as root) into
# /opt/kaohe, settings in /etc/kaohe/kaohe.env, data in /var/lib/kaohe, a service user "kaohe" and the
# systemd unit kaohe.service. --user: no root, no service user, no systemd (start it with
# PREFIX/current/bin/kaohectl), settings in PREFIX/etc/kaohe.env and data in PREFIX/data.
# An existing configuration, unit or data directory is never overwritten. To move an installation to
# a new version use upgrade.sh of the new bundle.
set -euo pipefail
bundle=$(cd "$(dirname "$0")" && pwd)
. "$bundle/etc/common.sh"
version=$(cat "$bundle/VERSION")
prefix=/opt/kaohe; config=; data=; user_mode=false
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --user) user_mode=true; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
if $user_mode; then
  config=${config:-$prefix/etc/kaohe.env}; data=${data:-$prefix/data}
else
  [ "$(id -u)" = 0 ] || die "系统安装需要 root；不用 root 请加 --user / a system installation needs root; use --user otherwise"
  config=${config:-/etc/kaohe/kaohe.env}; data=${data:-/var/lib/kaohe}
fi

echo "检查文件 / checking the bundle's files (SHA256SUMS)"
(cd "$bundle" && sha256sum --quiet -c SHA256SUMS) || die "bundle damaged: SHA256SUMS does not match"

if [ -e "$prefix/current" ]; then
  die "$prefix 已安装 $(basename "$(readlink "$prefix/current")")；升级请用 upgrade.sh / already installed: use upgrade.sh"
fi

if ! $user_mode && ! id kaohe >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$data" --no-create-home --shell /usr/sbin/nologin kaohe
  echo "已创建服务用户 / created the service user: kaohe"
fi

mkdir -p "$prefix/releases" "$prefix/backups"
# kaohe backup runs as the service user during an upgrade: it writes here.
$user_mode || chown kaohe:kaohe "$prefix/backups"
rm -rf "$prefix/releases/$version.tmp"
cp -a "$bundle/release" "$prefix/releases/$version.tmp"
mv -T "$prefix/releases/$version.tmp" "$prefix/releases/$version"
ln -sfn "releases/$version" "$prefix/current"

if [ -d "$data" ]; then echo "保留已有数据目录 / keeping the existing data directory: $data"; fi
mkdir -p "$data"; chmod 750 "$data"
$user_mode || chown kaohe:kaohe "$data"

confdir=$(dirname "$config"); mkdir -p "$confdir"
fill() { sed -e "s|@PREFIX@|$prefix|g" -e "s|@CONFIG@|$config|g" -e "s|@DATA@|$data|g" "$1"; }
# put TEMPLATE TARGET: writes TARGET, or TARGET.new beside an existing one (never overwrites).
put() {
  if [ -e "$2" ]; then
    fill "$1" > "$2.new"; echo "保留已有 / kept existing $2 (新版模板 / the new template: $2.new)"
  else
    fill "$1" > "$2"; echo "已写入 / wrote $2"
  fi
}
put "$bundle/etc/kaohe.env" "$config"
chmod 640 "$config"; $user_mode || chown root:kaohe "$config"
put "$bundle/etc/nginx-kaohe.conf" "$confdir/nginx-kaohe.conf"
if ! $user_mode; then
  put "$bundle/etc/kaohe.service" /etc/systemd/system/kaohe.service
  systemctl daemon-reload 2>/dev/null || true
fi

echo
echo "Kaohe $version 已安装到 / installed in $prefix"
echo "下一步 / next steps:"
echo "  1. 编辑配置 / edit the settings: $config"
echo "     (数据库 Database__Provider / ConnectionStrings__Kaohe, 首次启动的管理员密码 Kaohe__AdminPassword)"
if $user_mode; then
  echo "  2. 启动 / start:  $prefix/current/bin/kaohectl start $config $prefix/run"
else
  echo "  2. 启动 / start:  systemctl enable --now kaohe   (日志 / log: journalctl -u kaohe)"
  echo "  3. nginx: $confdir/nginx-kaohe.conf → /etc/nginx/conf.d/ (server_name, 证书 / certificate), nginx -t && systemctl reload nginx"
fi
echo "  检查 / check:  curl $(health_url "$config")"
