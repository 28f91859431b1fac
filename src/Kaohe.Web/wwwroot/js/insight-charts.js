// Insight dashboards: ECharts from the vendored /lib/echarts, data from the page's JSON data island
// (#insight-data). No inline script (CSP). Every chart has a table twin (toggle) and a PNG export.
(function () {
  'use strict';
  var island = document.getElementById('insight-data');
  if (!island || typeof echarts === 'undefined') return;
  var data = JSON.parse(island.textContent || '{}');
  var L = data.labels || {};
  var RED = '#b3261e', GREEN = '#1a7f37', GREY = '#8c959f', BLUE = '#0969da';
  var charts = {};

  function pct(v) { return v == null ? null : Math.round(v * 1000) / 10; }
  // An indicator named on an axis: short enough to read when rotated (the tooltip and the table twin give it whole).
  function short(name) { return name.length > 8 ? name.slice(0, 7) + '…' : name; }
  // containLabel keeps the tick labels inside the chart but not an axis's name: a name over a vertical axis is set to
  // start at the axis (not centred on it, half outside the canvas), and the grid leaves room above for it (issue 18 item 12).
  var LEFT_NAME = { align: 'left' }, RIGHT_NAME = { align: 'right' };

  var builders = {
    ranking: function () {
      var names = [], values = [], colors = [];
      var groups = data.rankings || [];
      groups.forEach(function (g) {
        g.units.forEach(function (u) {
          names.push((groups.length > 1 ? g.group + ' · ' : '') + u.rank + ' ' + u.name.replace('住房和城乡建设局', '住建局'));
          values.push(Math.round(u.total * 100) / 100);
          colors.push(u.commended ? GREEN : u.criticized ? RED : GREY);
        });
      });
      names.reverse(); values.reverse(); colors.reverse();
      return {
        animation: false,
        grid: { left: 8, right: 40, top: 10, bottom: 36, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'value', name: L.total, nameLocation: 'middle', nameGap: 24, min: function (v) { return Math.max(0, Math.floor(v.min - 5)); } },
        yAxis: { type: 'category', data: names, axisLabel: { fontSize: 11 } },
        series: [{ type: 'bar', data: values.map(function (v, i) { return { value: v, itemStyle: { color: colors[i] } }; }),
          label: { show: true, position: 'right', fontSize: 10 } }]
      };
    },
    heatmap: function () {
      var h = data.heatmap;
      return {
        animation: false,
        tooltip: { position: 'top', formatter: function (p) {
          return h.unitNames[p.value[1]] + '<br>' + h.indicators[p.value[0]].id + ' ' + h.indicators[p.value[0]].name + ': ' + p.value[2] + '%'; } },
        grid: { left: 8, right: 10, top: 10, bottom: 60, containLabel: true },
        xAxis: { type: 'category', data: h.indicators.map(function (i) { return short(i.name); }), axisLabel: { fontSize: 10, rotate: 60 }, splitArea: { show: true } },
        yAxis: { type: 'category', data: h.unitNames, axisLabel: { fontSize: 10 }, inverse: true, splitArea: { show: true } },
        visualMap: { min: 0, max: 100, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
          inRange: { color: ['#b3261e', '#f4d35e', '#1a7f37'] }, text: ['100%', '0%'] },
        series: [{ type: 'heatmap', data: h.cells, name: L.rating }]
      };
    },
    trend: function () {
      var t = data.trend;
      return {
        animation: false,
        tooltip: { trigger: 'axis' },
        legend: { type: 'scroll', bottom: 0 },
        grid: { left: 8, right: 20, top: 36, bottom: 50, containLabel: true },
        xAxis: { type: 'category', data: t.periods },
        yAxis: { type: 'value', name: L.total, nameTextStyle: LEFT_NAME, scale: true },
        series: t.series.map(function (s) { return { type: 'line', name: s.name, data: s.totals, connectNulls: false }; })
      };
    },
    investment: function () {
      var u = data.investment.units;
      return {
        animation: false,
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return v == null ? '—' : v + '%'; } },
        legend: { bottom: 0 },
        grid: { left: 8, right: 20, top: 20, bottom: 40, containLabel: true },
        xAxis: { type: 'category', data: u.map(function (x) { return x.name.replace('住房和城乡建设局', ''); }), axisLabel: { fontSize: 11 } },
        yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
        series: [
          { type: 'bar', name: L.completion, data: u.map(function (x) { return pct(x.completion); }), itemStyle: { color: RED } },
          { type: 'bar', name: L.growth, data: u.map(function (x) { return pct(x.growth); }), itemStyle: { color: BLUE } }
        ]
      };
    },
    deductions: function () {
      var d = data.deductions;
      return {
        animation: false,
        tooltip: { trigger: 'axis' },
        legend: { bottom: 0 },
        grid: { left: 8, right: 20, top: 36, bottom: 40, containLabel: true },
        xAxis: { type: 'category', data: d.map(function (a) { return a.name; }), axisLabel: { fontSize: 10, interval: 0, rotate: d.length > 4 ? 30 : 0 } },
        yAxis: [{ type: 'value', name: L.lost, nameTextStyle: LEFT_NAME }, { type: 'value', name: L.findings, position: 'right', nameTextStyle: RIGHT_NAME }],
        series: [
          { type: 'bar', name: L.lost, data: d.map(function (a) { return a.pointsLost; }), itemStyle: { color: RED } },
          { type: 'line', name: L.findings, yAxisIndex: 1, data: d.map(function (a) { return a.findings; }), itemStyle: { color: GREY } }
        ]
      };
    }
  };

  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var kind = el.getAttribute('data-chart');
    if (!builders[kind]) return;
    var fig = el.closest('figure');
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(builders[kind]());
    if (fig) charts[fig.id] = chart;
  });

  window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });

  document.querySelectorAll('[data-toggle-table]').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var fig = document.getElementById(btn.getAttribute('data-toggle-table'));
      var table = fig && fig.querySelector('.chart-table');
      if (!table) return;
      var show = table.classList.contains('sr-only');
      table.classList.toggle('sr-only', !show);
      btn.setAttribute('aria-pressed', show ? 'true' : 'false');
      btn.textContent = show ? (L.hideTable || 'Hide table') : (L.showTable || 'Table');
    });
  });

  document.querySelectorAll('[data-export-png]').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var id = btn.getAttribute('data-export-png');
      var chart = charts[id];
      if (!chart) return;
      var a = document.createElement('a');
      a.href = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
      a.download = (data.periodId || 'kaohe') + '-' + id.replace('fig-', '') + '.png';
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  });
})();
