/* Draw the charts of a review, bulletin or dashboard with ECharts, from the same chart dicts
   the server turns into SVG for the PDF (reports/charts.py). */
(function () {
  "use strict";
  var PALETTE = ["#b71c1c", "#1f5fa8", "#e0a100", "#2e7d32", "#6a1b9a", "#00838f"];
  function draw() {
    var source = document.getElementById("chart-specs");
    if (!source || !window.echarts) return;
    var specs = JSON.parse(source.textContent);
    document.querySelectorAll(".echart[data-chart-index]").forEach(function (el) {
      var spec = specs[Number(el.dataset.chartIndex)];
      if (!spec) return;
      var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "svg" });
      var series = spec.series.map(function (s, i) {
        var item = { name: s.name, type: spec.kind, data: s.values, itemStyle: { color: PALETTE[i % PALETTE.length] },
                     label: { show: spec.labels.length <= 16, position: "top" } };
        if (spec.marker !== null && spec.marker !== undefined && i === 0) {
          item.markLine = { symbol: "none", lineStyle: { color: "#e65100", type: "dashed" },
                            label: { formatter: spec.marker_label + " {c}" }, data: [{ yAxis: spec.marker }] };
        }
        return item;
      });
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { show: spec.series.length > 1, top: 0 },
        grid: { left: 36, right: 12, top: spec.series.length > 1 ? 30 : 16, bottom: spec.labels.length > 8 ? 60 : 28 },
        xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.labels.length > 8 ? 35 : 0,
                 formatter: function (v) { return v.length > 8 ? v.slice(0, 7) + "…" : v; } } },
        yAxis: { type: "value", minInterval: 1 },
        series: series
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
