// The public survey form: a double tap sends one request (the server would store one response anyway).
(function () {
  var form = document.getElementById('sv-form');
  if (!form) return;
  form.addEventListener('submit', function (e) {
    if (form.dataset.sent === '1') { e.preventDefault(); return; }
    form.dataset.sent = '1';
    var b = form.querySelector('button[type=submit]');
    if (b) b.setAttribute('aria-busy', 'true');
  });
})();
