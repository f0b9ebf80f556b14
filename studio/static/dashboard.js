// The dashboard's charts (Chart.js, vendored: studio/static/vendor/), drawn from the counts the
// page carries as JSON (no inline script: the studio's Content-Security-Policy allows none).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("figures").textContent);
  const palette = ["#0b4f6c", "#f5a623", "#1d5e20", "#8a1c1c", "#6a4c93", "#2a9d8f",
                   "#e76f51", "#577590", "#999999"];
  const series = (named, stack) => Object.entries(named).map(([label, values], i) => ({
    label, data: values, backgroundColor: palette[i % palette.length],
    borderColor: palette[i % palette.length], stack }));
  const draw = (id, type, labels, datasets, options = {}) =>
    new Chart(document.getElementById(id), { type, data: { labels, datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false, ...options } });
  const stacked = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };
  draw("topics", "bar", data.weeks, series(data.topics, "topics"), stacked);
  draw("outcomes", "line", data.weeks, series(data.outcomes),
       { scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } } });
  draw("guidance", "bar", data.weeks, series(data.guidance),
       { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
  for (const id of ["channels", "languages"]) {
    draw(id, "doughnut", Object.keys(data[id]),
         [{ data: Object.values(data[id]), backgroundColor: palette }]);
  }
});
