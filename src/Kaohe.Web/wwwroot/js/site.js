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
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var message = form && form.getAttribute && form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) e.preventDefault();
  }, true);
})();
