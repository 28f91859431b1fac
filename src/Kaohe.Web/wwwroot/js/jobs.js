// /Jobs/{id}: polls GET /api/v1/jobs/{id} and moves the progress bar; when the job ends, reloads the
// page so that the server renders its result (download) or its errors. No inline script (CSP).
(function () {
  var box = document.getElementById('job');
  if (!box || box.getAttribute('data-finished') === 'true') return;
  var url = box.getAttribute('data-job-url');
  var bar = document.getElementById('job-bar');
  var percent = document.getElementById('job-percent');
  var status = document.getElementById('job-status');
  var message = document.getElementById('job-message');
  var delay = 500;
  function tick() {
    fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (j) {
        if (j.percent !== null && j.percent !== undefined) {
          bar.value = j.percent;
          percent.textContent = j.percent + ' %';
        } else {
          bar.removeAttribute('value');
        }
        status.textContent = j.statusName;
        message.textContent = (j.message || '') + (j.total > 0 && !j.finished ? ' (' + j.done + ' / ' + j.total + ')' : '');
        if (j.finished) {
          bar.value = j.status === 'Succeeded' ? 100 : bar.value;
          setTimeout(function () { window.location.reload(); }, 300);
          return;
        }
        delay = Math.min(2000, delay + 250);
        setTimeout(tick, delay);
      })
      .catch(function () { delay = Math.min(10000, delay * 2); setTimeout(tick, delay); });
  }
  setTimeout(tick, 300);
})();
