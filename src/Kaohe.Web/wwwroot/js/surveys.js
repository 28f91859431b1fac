// Office pages of the surveys: live progress against the quotas (a small poll of the progress API).
(function () {
  var box = document.querySelector('[data-progress-url]');
  if (!box) return;
  var url = box.getAttribute('data-progress-url');
  function refresh() {
    fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) return;
        var t = document.querySelector('[data-total=received]');
        if (t) t.textContent = p.received;
        var pc = document.querySelector('[data-total=percent]');
        if (pc) pc.textContent = (p.quota > 0 ? (100 * p.received / p.quota).toFixed(1) : '0') + '%';
        p.sites.forEach(function (s) {
          var row = document.querySelector('tr[data-site="' + s.siteId + '"]');
          if (!row) return;
          row.querySelector('[data-f=web]').textContent = s.web;
          row.querySelector('[data-f=paper]').textContent = s.paper;
          row.querySelector('[data-f=received]').textContent = s.web + s.paper;
          var pct = s.quota > 0 ? Math.min(100, 100 * (s.web + s.paper) / s.quota) : 0;
          var bar = row.querySelector('[data-f=bar]');
          bar.className = 'w-' + Math.round(pct / 5) * 5;
          bar.parentNode.setAttribute('aria-valuenow', Math.round(pct));
          bar.parentNode.classList.toggle('low', pct < 50);
        });
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }
  setInterval(refresh, parseInt(box.getAttribute('data-interval') || '10000', 10));
})();

// The print button of the QR sheets.
(function () {
  var b = document.querySelector('[data-print]');
  if (b) b.addEventListener('click', function () { window.print(); });
})();
