// The scheme editor's formula check (考核方案 JSON): as the document is typed, every formula leaf is checked against the
// measures the document defines, and an error is shown with its position (a caret under the character). The server
// checks (GET /api/v1/schemes/formula-check), so that the page and the import agree; saving checks everything again.
// Progressive enhancement: without script the page saves and reports errors as before.
(function () {
  var area = document.getElementById('document');
  var out = document.getElementById('formula-check');
  if (!area || !out) return;
  var english = document.documentElement.lang === 'en';
  var url = out.getAttribute('data-check-url');
  var timer = null;
  var generation = 0;

  function t(zh, en) { return english ? en : zh; }

  function line(cls, text) {
    var li = document.createElement('li');
    if (cls) li.className = cls;
    li.textContent = text;
    return li;
  }

  // Every leaf with a formula, with its JSON path, in document order.
  function formulas(nodes, prefix, into) {
    if (!Array.isArray(nodes)) return into;
    nodes.forEach(function (n, i) {
      var path = prefix + '[' + i + ']';
      if (n && typeof n.formula === 'string') into.push({ path: path + '.formula', formula: n.formula });
      if (n && Array.isArray(n.children)) formulas(n.children, path + '.children', into);
    });
    return into;
  }

  function show(results) {
    out.replaceChildren();
    if (results.length === 0) return;
    results.forEach(function (r) {
      var li = document.createElement('li');
      li.className = r.ok ? 'ok' : 'bad';
      var code = document.createElement('code');
      code.textContent = r.path;
      li.appendChild(code);
      li.appendChild(document.createTextNode(' ' + (r.ok
        ? t('公式正确', 'formula OK') + (r.ownFiguresOnly ? t('（只用本单位数据，采集中即对单位显示）', ' (own figures only: shown to the unit while collecting)')
                                                          : t('（涉及全区数据，申诉复核期对单位显示）', ' (uses the region\'s figures: shown to the unit from the review window)'))
        : (english ? r.en : r.zh))));
      if (!r.ok && r.position) {
        // The formula with a caret under the character the error is at.
        var pre = document.createElement('pre');
        pre.className = 'formula-caret';
        pre.textContent = r.formula + '\n' + ' '.repeat(Math.max(0, r.position - 1)) + '^';
        li.appendChild(pre);
      }
      out.appendChild(li);
    });
  }

  function check() {
    var mine = ++generation;
    var doc;
    try { doc = JSON.parse(area.value); }
    catch (e) {
      out.replaceChildren(line('muted', t('JSON 尚未完整，完整后检查公式。', 'The JSON is not complete yet; formulas are checked once it is.')));
      return;
    }
    var list = formulas(doc && doc.indicators, '$.indicators', []);
    var measures = Array.isArray(doc && doc.measures) ? doc.measures.map(function (m) { return m && m.id; }).filter(function (id) { return typeof id === 'string'; }) : [];
    Promise.all(list.map(function (f) {
      var q = '?formula=' + encodeURIComponent(f.formula) + measures.map(function (m) { return '&measures=' + encodeURIComponent(m); }).join('');
      return fetch(url + q, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (j) { j.path = f.path; return j; })
        .catch(function () { return { path: f.path, formula: f.formula, ok: false, zh: '无法检查（网络或登录已过期）', en: 'could not be checked (network, or the session ended)' }; });
    })).then(function (results) { if (mine === generation) show(results); });
  }

  area.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  check();
})();
