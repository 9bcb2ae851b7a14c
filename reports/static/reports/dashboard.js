/* Draws the dashboard charts from the JSON the page embeds; every chart's numbers are also in a table. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = JSON.parse(document.getElementById("chart-labels").textContent);
  var colours = { green: "#2e7d32", blue: "#1565c0", yellow: "#e3b341", red: "#b22222" };

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  draw("chart-ranking", {
    type: "bar",
    data: { labels: data.ranking.labels, datasets: [{ label: labels.score, data: data.ranking.values, backgroundColor: colours.red }] },
    options: { indexAxis: "y", scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
  });
  draw("chart-trend", {
    type: "line",
    data: { labels: data.trend.labels, datasets: [{ label: labels.rate, data: data.trend.values, borderColor: colours.blue, spanGaps: true }] },
    options: { scales: { y: { min: 0, max: 100 } } }
  });
  draw("chart-warnings", {
    type: "bar",
    data: {
      labels: data.warnings.labels,
      datasets: ["green", "blue", "yellow", "red"].map(function (level) {
        return { label: labels[level], data: data.warnings.series[level], backgroundColor: colours[level] };
      })
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
  });
  draw("chart-cards", {
    type: "bar",
    data: {
      labels: data.cards.labels,
      datasets: [
        { label: labels.yellow_cards, data: data.cards.yellow, backgroundColor: colours.yellow },
        { label: labels.red_cards, data: data.cards.red, backgroundColor: colours.red }
      ]
    },
    options: { scales: { y: { beginAtZero: true } } }
  });
  var partyColours = { frequency_met: "#b22222", required_parts_complete: "#e3b341", attendance_rate: "#2e7d32", visit_coverage: "#1565c0" };
  if (data.party_building) {
    draw("chart-party-building", {
      type: "bar",
      data: {
        labels: data.party_building.labels,
        datasets: Object.keys(partyColours).map(function (rate) {
          return { label: labels[rate], data: data.party_building.series[rate], backgroundColor: partyColours[rate] };
        })
      },
      options: { scales: { y: { min: 0, max: 100 } } }
    });
  }
})();
