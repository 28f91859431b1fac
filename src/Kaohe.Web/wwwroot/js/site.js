// What every signed-in page shares; nothing here is needed for a page to work (progressive enhancement).
(function () {
  // The main navigation's groups are <details>: they open without script. This keeps one open at a time
  // and closes it on a click elsewhere or Escape, as a menu does.
  var groups = Array.prototype.slice.call(document.querySelectorAll('nav.mainnav details.navgroup'));
  groups.forEach(function (g) {
    g.addEventListener('toggle', function () {
      if (g.open) groups.forEach(function (other) { if (other !== g) other.open = false; });
    });
  });
  document.addEventListener('click', function (e) {
    groups.forEach(function (g) { if (g.open && !g.contains(e.target)) g.open = false; });
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') groups.forEach(function (g) { g.open = false; });
  });

  // An irreversible action (公布, 发布考核期, 核验销号 …) carries data-confirm on its form: the words say
  // what will happen, and nothing is sent unless the person agrees.
  // A batch form's "{n}" is the number of its ticked boxes (their form="…" attribute ties them to it).
  function ticked(form, name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name && el.checked; }).length;
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var message = form && form.getAttribute && form.getAttribute('data-confirm');
    if (message && message.indexOf('{n}') >= 0) message = message.replace('{n}', String(ticked(form, 'ids')));
    if (message && !window.confirm(message)) e.preventDefault();
  }, true);

  // 全选本页 (data-select-all="ids") ticks or clears every box of its form; data-count="ids" shows how many are ticked.
  document.addEventListener('change', function (e) {
    var el = e.target;
    var form = el && el.form;
    if (!form) return;
    var all = el.getAttribute('data-select-all');
    if (all) Array.prototype.forEach.call(form.elements, function (box) { if (box.name === all) box.checked = el.checked; });
    Array.prototype.forEach.call(form.querySelectorAll('[data-count]'), function (c) {
      c.textContent = String(ticked(form, c.getAttribute('data-count')));
    });
  });
})();
