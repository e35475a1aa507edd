/* Charts of the reform-effort pages, drawn by Chart.js from data-* attributes of a canvas.
   The same figures are always in a table next to the chart; without this file nothing is
   lost. MIT licence, like the rest of the portal. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.Chart === "undefined") {
      return;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var labels = JSON.parse(canvas.getAttribute("data-labels") || "[]");
      var values = JSON.parse(canvas.getAttribute("data-values") || "[]");
      var max = Number(canvas.getAttribute("data-max") || 0) || undefined;
      new window.Chart(canvas, {
        type: canvas.getAttribute("data-chart"),
        data: {
          labels: labels,
          datasets: [{
            label: canvas.getAttribute("data-label") || "",
            data: values,
            backgroundColor: "#0b4a8b",
            borderColor: "#0b4a8b"
          }]
        },
        options: {
          animation: false,
          responsive: true,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, max: max } }
        }
      });
    });
  });
})();
