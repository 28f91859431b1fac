# bench/parts/60-pages.sh (sourced by bench/run.sh): issue 18 item 6, every page of the office's navigation at national
# scale. On the national SQLite dataset (3,000 units, four quarters, ~35,000 rectification items, 1,000,000 survey
# answers) in a freshly started instance, the office signs in through the sign-in form (cookie, anti-forgery token),
# as a person would, and the part collects the pages as a person finds them: every link of the main navigation
# (nav.mainnav, 首页 included) and the cards a navigation page links to below its own path (考核分析 → 一页通, 排名分差…).
# Each page is opened once as a warm-up (its time printed as "first": what the first visitor after a start waits),
# then $PAGES_REPEAT times (3 with --quick, 5 without), GET only, one at a time.
# Server time = curl's time_total on loopback: from sending the request to the last byte of the response (a redirect,
# such as /scalar's to its document, followed: the time to the page the person sees).
# Prints, per page, "page_ms_national PATH: MEDIAN (first FIRST, status CODE)"; then page_p95_ms_national (the 95th
# percentile over every timed request of every page), page_slowest_national (the page with the highest median, and
# that median), page_first_slowest_national (the slowest warm-up) and page_load_average (the machine is shared).
# A page that answers anything but 200 is named in page_failures_national.
PAGES_REPEAT=${PAGES_REPEAT:-$([ "$QUICK" = 1 ] && echo 3 || echo 5)}
part_pages() {
  local dir port base jar="$WORK/pages.jar"
  dir=$(national_sqlite) || { log "pages: no national dataset"; return 0; }
  port=$(free_port)
  start_app pages "$port" "$dir" || return 0
  base="http://127.0.0.1:$port"
  # Sign in as the office through the form: the anti-forgery token comes with the form and its cookie.
  curl -fs -c "$jar" -b "$jar" -o "$WORK/pages-login.html" "$base/Account/Login" || { log "pages: no sign-in page"; return 0; }
  local af code
  af=$(python3 -c 'import re,sys; print(re.search(r"name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"", open(sys.argv[1]).read()).group(1))' "$WORK/pages-login.html") \
    || { log "pages: no anti-forgery token on the sign-in page"; return 0; }
  code=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "Username=office" \
    --data-urlencode "Password=$NATIONAL_PASSWORD" --data-urlencode "__RequestVerificationToken=$af" "$base/Account/Login")
  [ "$code" = 302 ] || { log "pages: sign-in answered $code"; return 0; }
  # The pages, as the navigation shows them: nav.mainnav's links, then each nav page's cards below its own path.
  curl -fs -b "$jar" -o "$WORK/pages-home.html" "$base/" || { log "pages: the home page failed"; return 0; }
  python3 - "$WORK/pages-home.html" >"$WORK/pages-nav.txt" <<'PY'
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
nav = re.search(r'<nav class="mainnav".*?</nav>', page, re.S).group(0)
seen = []
for href in re.findall(r'href="([^"]+)"', nav):
    href = html.unescape(href)
    if href.startswith("/") and href not in seen: seen.append(href)
print("\n".join(seen))
PY
  : >"$WORK/pages-urls.txt"
  local path sub
  while read -r path; do
    echo "$path" >>"$WORK/pages-urls.txt"
    [ "$path" = / ] && continue
    curl -s -b "$jar" --max-time 600 -o "$WORK/pages-nav-page.html" "$base$path" || continue
    python3 - "$WORK/pages-nav-page.html" "$path" <<'PY' >>"$WORK/pages-urls.txt"
import html, re, sys
page, root = open(sys.argv[1], encoding="utf-8", errors="replace").read(), sys.argv[2].rstrip("/")
main = re.search(r'<main.*?</main>', page, re.S)
for href in re.findall(r'<a class="card[^"]*" href="([^"]+)"', main.group(0) if main else ""):
    href = html.unescape(href)
    if href.startswith(root + "/") and "?" not in href: print(href)
PY
  done <"$WORK/pages-nav.txt"
  awk '!seen[$0]++' "$WORK/pages-urls.txt" >"$WORK/pages-urls.uniq" && mv "$WORK/pages-urls.uniq" "$WORK/pages-urls.txt"
  log "pages: $(wc -l <"$WORK/pages-urls.txt") pages of the office's navigation, $PAGES_REPEAT timed requests each after a warm-up"
  # Restarted so that every page's warm-up is a first visit (collecting the cards above opened the nav pages once).
  stop_apps
  start_app pages "$port" "$dir" || return 0
  : >"$WORK/pages-times.txt"
  local i t
  while read -r path; do
    t=$(curl -s -L -b "$jar" --max-time 600 -o /dev/null -w '%{time_total} %{http_code}' "$base$path")
    echo "first $path $t" >>"$WORK/pages-times.txt"
    for i in $(seq 1 "$PAGES_REPEAT"); do
      t=$(curl -s -L -b "$jar" --max-time 600 -o /dev/null -w '%{time_total} %{http_code}' "$base$path")
      echo "timed $path $t" >>"$WORK/pages-times.txt"
    done
  done <"$WORK/pages-urls.txt"
  python3 - "$WORK/pages-times.txt" >"$WORK/pages-figures.txt" <<'PY'
import math, statistics, sys
first, timed, status = {}, {}, {}
for line in open(sys.argv[1]):
    kind, path, t, code = line.split()
    ms = float(t) * 1000
    if kind == "first": first[path] = ms
    else: timed.setdefault(path, []).append(ms)
    if code != "200": status[path] = code
for path, v in timed.items():
    print(f"page_ms_national {path}\t{statistics.median(v):.0f} (first {first.get(path, 0):.0f}, status {status.get(path, '200')})")
every = sorted(ms for v in timed.values() for ms in v)
print(f"page_p95_ms_national\t{every[min(len(every) - 1, math.ceil(0.95 * len(every)) - 1)]:.0f}")
slow = max(timed, key=lambda p: statistics.median(timed[p]))
print(f"page_slowest_national\t{slow} {statistics.median(timed[slow]):.0f}")
slow = max(first, key=first.get)
print(f"page_first_slowest_national\t{slow} {first[slow]:.0f}")
print(f"page_failures_national\t{' '.join(f'{p}={c}' for p, c in status.items()) or 'none'}")
PY
  local name value
  while IFS=$'\t' read -r name value; do figure "$name" "$value"; done <"$WORK/pages-figures.txt"
  figure page_load_average "$(cut -d' ' -f1 /proc/loadavg)"
}
part_pages
