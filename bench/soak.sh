#!/usr/bin/env bash
# bench/soak.sh [--minutes M] — load with faults, measured (issue 17, item 9). Loopback only, bounded
# in time (M minutes of load, 5 by default, plus about three minutes of set-up and checks).
#
# Two instances of the application behind Debian's nginx (round-robin) on one PostgreSQL 15 of its own
# (fsync on), with the demo. The office opens the next quarter (2024-Q1, collecting) through the API;
# `kaohe generate --survey-codes` issues single-use survey codes. Then Kaohe.Load (soak run) drives a
# mixed load through nginx: public survey answers (8 workers, each code once), the three unit accounts'
# reports (one worker each, every write a value of its own), two divisions' score sheets (one worker
# each) and ranking reads (two workers). A third of the way in, instance B is killed with SIGKILL and
# started again 15 s later; two thirds of the way in, PostgreSQL is restarted with `-m immediate`.
# Afterwards every write that got no answer is sent again until it gets one, and `soak verify` compares
# what was acknowledged with what the database holds (survey responses; the audit entries written with
# each report and score); `kaohe verify-audit` checks the hash chain. One "name: value" line per figure.
# Needs root (PostgreSQL runs as the postgres user), PostgreSQL 15 and nginx, as ./test.sh installs them.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MINUTES=5
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    *) echo "usage: bench/soak.sh [--minutes M]" >&2; exit 2 ;;
  esac
done
SECONDS_OF_LOAD=$(python3 -c "print(int($MINUTES * 60))")
WORK=$(mktemp -d /tmp/kaohe-soak.XXXX)
OUT="$WORK/figures.txt"; : >"$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
PGBIN=/usr/lib/postgresql/15/bin
PASSWORD=Soak-pass-2023
log() { echo "[soak $(date +%H:%M:%S)] $*" >&2; }
figure() { echo "$1: $2" | tee -a "$OUT"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PGD="" NGINX_PID="" A_PID="" B_PID=""
cleanup() {
  for p in "$A_PID" "$B_PID" "$NGINX_PID"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "$PGD" ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate stop >/dev/null 2>&1; rm -rf "$PGD"; fi
  [ "${KEEP:-0}" = 1 ] && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && [ -x "$PGBIN/initdb" ] && [ -x /usr/sbin/nginx ] || { echo "needs root, PostgreSQL 15 and nginx (see ./test.sh)" >&2; exit 2; }

log "building (Release)"
for proj in src/Kaohe.Web src/Kaohe.Cli bench/Kaohe.Load; do
  dotnet build "$proj" -c Release -nologo -v q >>"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; exit 1; }
done
WEB="$ROOT/src/Kaohe.Web/bin/Release/net10.0/Kaohe.Web.dll"
CLI="$ROOT/src/Kaohe.Cli/bin/Release/net10.0/kaohe.dll"
LOAD="$ROOT/bench/Kaohe.Load/bin/Release/net10.0/Kaohe.Load.dll"

# --- PostgreSQL of its own, durable (fsync on): a restart with -m immediate means crash recovery ---
PGD=$(mktemp -d /tmp/kaohe-soak-pg.XXXX); chown postgres "$PGD"
PGPORT=$(free_port)
runuser -u postgres -- "$PGBIN/initdb" -D "$PGD/data" -U postgres --auth=trust >/dev/null || exit 1
pg_start() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w \
  -o "-p $PGPORT -k $PGD -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null; }
pg_start || exit 1
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qc "CREATE DATABASE kaohe_soak" >/dev/null
CS="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=kaohe_soak;Maximum Pool Size=100"

# --- Two instances on one database and one attachment directory --------------------------------
DATA="$WORK/data"; mkdir -p "$DATA"
A_PORT=$(free_port); B_PORT=$(free_port)
start_app() {  # start_app NAME PORT; sets ${NAME}_PID; waits for /healthz
  local name=$1 port=$2
  (cd src/Kaohe.Web && exec env Database__Provider=Postgres "ConnectionStrings__Kaohe=$CS" Kaohe__DataDir="$DATA" \
     Kaohe__DemoPassword=$PASSWORD Kaohe__AdminPassword=Soak-admin-2023 Kaohe__KnownProxies=127.0.0.1 \
     Kaohe__LoginAttemptsPerMinute=1000000 Kaohe__SignIn__AttemptsPerAccountPerMinute=1000000 Kaohe__SurveyPerMinute=100000000 \
     Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=Warning \
     dotnet "$WEB" --urls "http://127.0.0.1:$port" >>"$WORK/$name.log" 2>&1) &
  eval "${name}_PID=$!"
  for _ in $(seq 1 900); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$name did not start:"; tail -20 "$WORK/$name.log" >&2; return 1
}
log "starting A (migrations and the demo), then B"
start_app A "$A_PORT" || exit 1
start_app B "$B_PORT" || exit 1

# --- nginx in front: round-robin; a request refused by a dead instance goes to the other ----------
NGINX_PORT=$(free_port); mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  client_max_body_size 50m;
  upstream kaohe {
    server 127.0.0.1:$A_PORT max_fails=1 fail_timeout=5s;
    server 127.0.0.1:$B_PORT max_fails=1 fail_timeout=5s;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://kaohe;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 60s;
    }
  }
}
EOF
/usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/stderr" & NGINX_PID=$!
URL="http://127.0.0.1:$NGINX_PORT"
for _ in $(seq 1 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# --- The office opens the next quarter; survey codes for the public ------------------------------
TOKEN=$(curl -fs -X POST -H 'Content-Type: application/json' -d "{\"username\":\"office\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/auth/token" \
  | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])') || { log "office cannot sign in"; exit 1; }
api() { curl -fs -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$2" "$URL$1" >>"$WORK/setup.log" || { log "POST $1 failed"; exit 1; }; }
api /api/v1/periods/next '{"from":"2023-Q4"}'
api /api/v1/periods/2024-Q1/publish '{}'
CODES=$(( (SECONDS_OF_LOAD / 60 + 1) * 30000 ))
log "issuing $CODES survey codes"
dotnet "$CLI" generate --survey-codes "$CODES" --postgres "$CS" --codes "$WORK/codes.txt" --body "$WORK/body.json" >"$WORK/codes.log" 2>&1 \
  || { tail -20 "$WORK/codes.log" >&2; exit 1; }

# --- The load, and the faults ---------------------------------------------------------------------
log "load for ${SECONDS_OF_LOAD}s through nginx"
dotnet "$LOAD" soak run --url "$URL" --period 2024-Q1 --codes "$WORK/codes.txt" --body "$WORK/body.json" --password "$PASSWORD" \
  --seconds "$SECONDS_OF_LOAD" --ledger "$WORK/ledger.json" >"$WORK/run.txt" 2>"$WORK/run.log" & DRIVER=$!
T0=$(date +%s)
sleep $(( SECONDS_OF_LOAD / 3 ))
log "SIGKILL instance B (pid $B_PID)"; figure soak_fault_kill_at_s $(( $(date +%s) - T0 ))
kill -9 "$B_PID"; wait "$B_PID" 2>/dev/null
sleep 15
log "starting B again"; start_app B "$B_PORT" || exit 1
figure soak_fault_b_back_at_s $(( $(date +%s) - T0 ))
sleep $(( SECONDS_OF_LOAD * 2 / 3 - ($(date +%s) - T0) > 0 ? SECONDS_OF_LOAD * 2 / 3 - ($(date +%s) - T0) : 0 ))
log "restarting PostgreSQL (-m immediate)"; figure soak_fault_pg_restart_at_s $(( $(date +%s) - T0 ))
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate stop >/dev/null
pg_start || { log "PostgreSQL did not come back"; exit 1; }
figure soak_fault_pg_back_at_s $(( $(date +%s) - T0 ))
wait "$DRIVER"; RUN_EXIT=$?
sed 's/^/[driver] /' "$WORK/run.log" >&2
cat "$WORK/run.txt" | tee -a "$OUT"
[ $RUN_EXIT = 0 ] || log "the driver failed ($RUN_EXIT)"
figure soak_load_average "$(cut -d' ' -f1 /proc/loadavg)"

# --- What was stored ----------------------------------------------------------------------------
# A clean stop first: whatever was acknowledged must be in the database now.
kill "$A_PID" "$B_PID" 2>/dev/null; wait "$A_PID" "$B_PID" 2>/dev/null; A_PID="" B_PID=""
dotnet "$LOAD" soak verify --postgres "$CS" --period 2024-Q1 --ledger "$WORK/ledger.json" | tee -a "$OUT"
if dotnet "$CLI" verify-audit --postgres "$CS" >"$WORK/audit.log" 2>&1; then figure soak_audit_chain "ok ($(grep -o '[0-9]* entries' "$WORK/audit.log" | head -1))"
else figure soak_audit_chain broken; cat "$WORK/audit.log" >&2; fi
# What the instances logged as errors (a 500 is logged with its exception; the kind tells what failed).
figure soak_app_errors_logged "$(cat "$WORK"/A.log "$WORK"/B.log | grep -c '"LogLevel":"Error"')"
cat "$WORK"/A.log "$WORK"/B.log | grep '"LogLevel":"Error"' | python3 -c '
import sys, json, collections
kinds = collections.Counter()
for line in sys.stdin:
    try: e = json.loads(line)
    except ValueError: continue
    ex = (e.get("Exception") or "").split("\n")[0]
    kinds[(e.get("Category", ""), ex.split(":")[0][:80])] += 1
for (cat, ex), n in kinds.most_common(8): print(f"[soak] error logged {n}x: {cat} {ex}", file=sys.stderr)
'
echo
echo "# all figures"
cat "$OUT"
