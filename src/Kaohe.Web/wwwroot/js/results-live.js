// /Results: the ranking follows the data while it arrives (issue 15). The server sends an event
// `results` with the results' version whenever the period's data changes, on whichever instance it
// was written (GET /api/v1/results/{period}/{category}/events); when the version differs from the
// one shown, the page fetches itself and swaps the ranking in, without a reload. No inline script (CSP).
(function () {
  var live = document.getElementById('results-live');
  if (!live || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var status = document.getElementById('results-updated');
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('results-live');
        if (!fresh) { window.location.reload(); return; }
        live.innerHTML = fresh.innerHTML;
        live.setAttribute('data-version', fresh.getAttribute('data-version') || '');
        if (status) status.textContent = (live.getAttribute('data-updated') || '') + ' ' + new Date().toLocaleTimeString();
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var source = new EventSource(live.getAttribute('data-events-url'));
  source.addEventListener('results', function (e) {
    var data;
    try { data = JSON.parse(e.data); } catch (_) { return; }
    if (data.version && data.version !== live.getAttribute('data-version')) refresh();
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
