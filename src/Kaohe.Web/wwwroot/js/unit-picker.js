// 账号 → 新建账号: the unit field suggests units as the office types (3,000 at national scale would be too many for a
// select). Each input with data-search and a list fills its <datalist> from the page's Units handler: the option's
// value is the unit's code (what the form sends), its label the unit's name. Without script the field takes a code
// or a full name, which the server resolves.
(function () {
  document.querySelectorAll("input[data-search][list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q === asked) return;
        asked = q;
        if (!q) { list.replaceChildren(); return; }
        var url = input.dataset.search + (input.dataset.search.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (units) {
            if (q !== asked) return;
            list.replaceChildren.apply(list, units.map(function (u) {
              var o = document.createElement("option");
              o.value = u.id;
              o.label = u.name;
              o.textContent = u.name;
              return o;
            }));
          })
          .catch(function () { /* the field still takes a code or a full name */ });
      }, 200);
    });
  });
})();
