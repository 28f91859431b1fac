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
# A page that answered any timed request with the progress box of a background analysis (id="results-computing": 一页通,
# 排名分差, or /Results while its draft computes) has measured that box only, not the page. The part then asks it again
# every 5 s until it shows the page (bounded: $PAGES_READY_WAIT s, 600 by default), and times $PAGES_READY_REPEAT (3) more
# requests of the finished page: "page_ms_national_ready PATH: MEDIAN (ready after N s)". These are in
# page_p95_ms_national and page_slowest_national too (named "PATH (ready)"); a page never ready is named in page_never_ready_national.
PAGES_REPEAT=${PAGES_REPEAT:-$([ "$QUICK" = 1 ] && echo 3 || echo 5)}
PAGES_READY_WAIT=${PAGES_READY_WAIT:-600}
PAGES_READY_REPEAT=${PAGES_READY_REPEAT:-3}
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
  local i t computing waited body="$WORK/pages-body.html"
  while read -r path; do
    t=$(curl -s -L -b "$jar" --max-time 600 -o /dev/null -w '%{time_total} %{http_code}' "$base$path")
    echo "first $path $t" >>"$WORK/pages-times.txt"
    computing=0
    for i in $(seq 1 "$PAGES_REPEAT"); do
      t=$(curl -s -L -b "$jar" --max-time 600 -o "$body" -w '%{time_total} %{http_code}' "$base$path")
      echo "timed $path $t" >>"$WORK/pages-times.txt"
      grep -q 'id="results-computing"' "$body" && computing=1
    done
    [ "$computing" = 1 ] || continue
    # The analysis runs in the background; the page itself (as its script does) starts or joins it on every request.
    waited=0
    while grep -q 'id="results-computing"' "$body" && [ "$waited" -lt "$PAGES_READY_WAIT" ]; do
      sleep 5
      waited=$((waited + 5))
      curl -s -L -b "$jar" --max-time 600 -o "$body" "$base$path"
    done
    if grep -q 'id="results-computing"' "$body"; then
      echo "never $path $waited 0" >>"$WORK/pages-times.txt"
      continue
    fi
    for i in $(seq 1 "$PAGES_READY_REPEAT"); do
      t=$(curl -s -L -b "$jar" --max-time 600 -o "$body" -w '%{time_total} %{http_code}' "$base$path")
      grep -q 'id="results-computing"' "$body" && t="${t% *} computing"
      echo "ready $path $t $waited" >>"$WORK/pages-times.txt"
    done
  done <"$WORK/pages-urls.txt"
  python3 - "$WORK/pages-times.txt" >"$WORK/pages-figures.txt" <<'PY'
import math, statistics, sys
first, timed, status, ready, waited, never = {}, {}, {}, {}, {}, []
for line in open(sys.argv[1]):
    kind, path, t, code, *rest = line.split()
    if kind == "never":
        never.append(path)
        continue
    ms = float(t) * 1000
    if kind == "first": first[path] = ms
    elif kind == "ready":
        ready.setdefault(path, []).append(ms)
        waited[path] = rest[0]
    else: timed.setdefault(path, []).append(ms)
    # A finished page that answered with the progress box again (the results changed meanwhile) is not a 200 of the page.
    if code != "200": status[path + (" (ready)" if kind == "ready" else "")] = code
for path, v in timed.items():
    print(f"page_ms_national {path}\t{statistics.median(v):.0f} (first {first.get(path, 0):.0f}, status {status.get(path, '200')})")
for path, v in ready.items():
    print(f"page_ms_national_ready {path}\t{statistics.median(v):.0f} (ready after {waited[path]} s, {len(v)} requests)")
every = sorted([ms for v in timed.values() for ms in v] + [ms for v in ready.values() for ms in v])
print(f"page_p95_ms_national\t{every[min(len(every) - 1, math.ceil(0.95 * len(every)) - 1)]:.0f}")
medians = {p: statistics.median(v) for p, v in timed.items()} | {p + " (ready)": statistics.median(v) for p, v in ready.items()}
slow = max(medians, key=medians.get)
print(f"page_slowest_national\t{slow} {medians[slow]:.0f}")
print(f"page_never_ready_national\t{' '.join(never) or 'none'}")
slow = max(first, key=first.get)
print(f"page_first_slowest_national\t{slow} {first[slow]:.0f}")
print(f"page_failures_national\t{' '.join(f'{p}={c}' for p, c in status.items()) or 'none'}")
PY
  local name value
  while IFS=$'\t' read -r name value; do figure "$name" "$value"; done <"$WORK/pages-figures.txt"
  figure page_load_average "$(cut -d' ' -f1 /proc/loadavg)"
}
part_pages
