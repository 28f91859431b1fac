// /Results while the results of changed data are computed (issue 9), and the Insight pages while their
// analysis is (issue 18): polls the box's data-progress-url (GET /api/v1/results/{period}/{category}/progress,
// or the page's ?handler=Progress), moves the bar and, once ready, reloads the page, which then shows the
// results. No inline script (CSP).
(function () {
  var box = document.getElementById('results-computing');
  if (!box) return;
  var url = box.getAttribute('data-progress-url');
  var bar = document.getElementById('results-progress');
  var percent = document.getElementById('results-percent');
  var about = box.getAttribute('data-label-about') || '';
  var delay = 700;
  function tick() {
    fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (p) {
        if (p.ready) {
          bar.value = 100;
          percent.textContent = '100 %';
          window.location.reload();
          return;
        }
        // An Insight analysis says what it is computing (p.step, in the page's language); the results say their phase.
        var phase = p.step || box.getAttribute('data-label-phase-' + String(p.phase || '').toLowerCase()) || '';
        bar.value = p.percent;
        percent.textContent = about + ' ' + p.percent + ' %' + (phase ? ' · ' + phase : '');
        delay = Math.min(2000, delay + 200);
        setTimeout(tick, delay);
      })
      .catch(function () { delay = Math.min(10000, delay * 2); setTimeout(tick, delay); });
  }
  setTimeout(tick, delay);
})();
