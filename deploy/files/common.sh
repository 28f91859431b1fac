# Shared by install.sh and upgrade.sh (sourced). Settings are read from the kaohe.env file.

die() { echo "错误 / error: $*" >&2; exit 1; }

# setting FILE KEY: the value of KEY in a kaohe.env file (last one wins), without surrounding quotes.
setting() {
  local v
  v=$(grep -E "^$2=" "$1" | tail -1 | cut -d= -f2-) || true
  v=${v%$'\r'}
  if [[ $v == \"*\" ]]; then v=${v:1:${#v}-2}; fi
  printf '%s' "$v"
}

# pg_env CONNECTIONSTRING: the Npgsql connection string as libpq environment variables (for pg_dump/pg_restore).
pg_env() {
  local IFS=';' part key value
  for part in $1; do
    key=$(printf '%s' "${part%%=*}" | tr '[:upper:]' '[:lower:]' | tr -d ' '); value=${part#*=}
    case "$key" in
      host|server) printf 'PGHOST=%s\n' "$value" ;;
      port) printf 'PGPORT=%s\n' "$value" ;;
      username|userid|user) printf 'PGUSER=%s\n' "$value" ;;
      password) printf 'PGPASSWORD=%s\n' "$value" ;;
      database|db) printf 'PGDATABASE=%s\n' "$value" ;;
    esac
  done
}

# health_url ENVFILE: where /healthz answers, from the first of ASPNETCORE_URLS.
health_url() {
  local u; u=$(setting "$1" ASPNETCORE_URLS); u=${u%%;*}; u=${u:-http://127.0.0.1:5080}
  u=${u/\/\/0.0.0.0/\/\/127.0.0.1}; u=${u/\/\/+/\/\/127.0.0.1}; u=${u/\/\/\*/\/\/127.0.0.1}; u=${u/\/\/[::]/\/\/127.0.0.1}
  printf '%s/healthz' "${u%/}"
}

# wait_healthy URL SECONDS: 0 once /healthz answers ok.
wait_healthy() {
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do
    if [ "$(curl -fsS --max-time 5 "$1" 2>/dev/null)" = ok ]; then return 0; fi
    sleep 1
  done
  return 1
}
