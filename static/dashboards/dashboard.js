// Draws each dashboard panel's chart from the table beside it: the table is the data
// (accessible, printable, the CSV's content), the chart only a picture of it.
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997", "#ffc107", "#6c757d", "#0dcaf0", "#d63384"];

  function readTable(table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    var labels = [];
    var series = headers.slice(1).map(function () { return []; });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var cells = tr.querySelectorAll("[data-value]");
      if (!cells.length) { return; }
      labels.push(tr.firstElementChild.textContent.trim());
      cells.forEach(function (cell, i) {
        // Suppressed cells ("<5") carry no value: a gap, not a zero.
        series[i].push(cell.dataset.value === "" ? null : Number(cell.dataset.value));
      });
    });
    return { labels: labels, names: headers.slice(1), series: series };
  }

  function config(kind, data) {
    var type = { stacked: "bar", funnel: "bar", line: "line", doughnut: "doughnut" }[kind] || "bar";
    var datasets = data.series.map(function (values, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: data.names[i],
        data: values,
        backgroundColor: type === "doughnut" ? PALETTE : colour,
        borderColor: colour,
        tension: 0.2
      };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: datasets.length > 1 || type === "doughnut" } }
    };
    if (type !== "doughnut") {
      // Counts: whole numbers on the value axis, never 0.5 of a household.
      var values = { beginAtZero: true, ticks: { precision: 0 } };
      var categories = {};
      if (kind === "stacked") {
        values.stacked = true;
        categories.stacked = true;
      } else if (kind === "funnel" || (type === "bar" && data.labels.length > 6)) {
        options.indexAxis = "y";
      }
      options.scales = options.indexAxis === "y" ? { x: values, y: categories } : { x: categories, y: values };
    }
    return { type: type, data: { labels: data.labels, datasets: datasets }, options: options };
  }

  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll(".dashboard-panel[data-chart]").forEach(function (panel) {
      var kind = panel.dataset.chart;
      var canvas = panel.querySelector("canvas");
      var table = panel.querySelector("table.panel-table");
      if (!kind || !canvas || !table) { return; }
      var data = readTable(table);
      if (!data.labels.length) { canvas.parentElement.hidden = true; return; }
      new Chart(canvas, config(kind, data));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
