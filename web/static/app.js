// negtrace dashboard: draws the charts of the overview from the JSON API
// with the vendored Chart.js (and its annotation plugin for the latency
// percentiles). Everything else on the pages is server-rendered and works
// without JavaScript. When every chart of the page is drawn (at once on
// pages without charts), document.body.dataset.chartsReady is "1"; if a
// chart cannot be drawn it is "error" and the reason goes to console.error.
(function () {
  "use strict";

  window.addEventListener("error", function (e) {
    console.error("negtrace: " + e.message + " (" + e.filename + ":" + e.lineno + ")");
  });
  window.addEventListener("unhandledrejection", function (e) {
    console.error("negtrace: " + (e.reason && e.reason.message ? e.reason.message : e.reason));
  });

  // Colours come from the stylesheet's custom properties, so the charts
  // match the cause chips and the timeline.
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
  var causeVars = {
    neg_detach_race: "--race",
    backend_closed_connection: "--closed",
    application_error: "--app",
    no_healthy_backend: "--nohealthy"
  };
  function causeColor(cause) {
    return cssVar(causeVars[cause] || "--other");
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) {
        throw new Error(url + ": HTTP " + r.status);
      }
      return r.json();
    });
  }

  function fail(el, err) {
    var p = document.createElement("p");
    p.className = "chart-error";
    p.textContent = "Chart unavailable: " + err.message;
    el.appendChild(p);
    throw err;
  }

  function seconds(x) {
    return (Math.round(x * 100) / 100) + "s";
  }

  // 5xx per time bucket, stacked by cause (Chart.js stacks the series).
  function drawCauses(el, ts) {
    var datasets = ts.series.map(function (s) {
      return { label: s.cause, data: s.counts, backgroundColor: causeColor(s.cause), stack: "5xx" };
    });
    return new Chart(el.querySelector("canvas"), {
      type: "bar",
      data: { labels: ts.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, title: { display: true, text: "UTC, buckets of " + ts.bucket_seconds + "s" } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "LB 5xx" } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            mode: "index",
            intersect: false,
            filter: function (item) { return item.raw > 0; }
          }
        }
      }
    });
  }

  // Histogram of detach latencies on a linear axis in seconds, with the
  // analysis's p50/p90/p99 as annotation lines.
  function drawLatency(el, h) {
    var points = h.bins.map(function (b) {
      return { x: (b.from + b.to) / 2, y: b.count, from: b.from, to: b.to };
    });
    var marks = {};
    var positions = { p50: "start", p90: "center", p99: "end" };
    ["p50", "p90", "p99"].forEach(function (name) {
      if (h[name] === null || h[name] === undefined) {
        return;
      }
      marks[name] = {
        type: "line",
        xMin: h[name],
        xMax: h[name],
        borderColor: name === "p50" ? cssVar("--last") : cssVar("--race"),
        borderWidth: 2,
        borderDash: name === "p99" ? [6, 3] : [],
        label: {
          display: true,
          content: name + " " + seconds(h[name]),
          position: positions[name],
          backgroundColor: "rgba(29,35,48,0.8)",
          font: { size: 11 }
        }
      };
    });
    var first = h.bins.length ? h.bins[0].from : 0;
    var last = h.bins.length ? h.bins[h.bins.length - 1].to : 1;
    return new Chart(el.querySelector("canvas"), {
      type: "bar",
      data: {
        datasets: [{
          label: "terminations",
          data: points,
          backgroundColor: cssVar("--detach"),
          barPercentage: 1,
          categoryPercentage: 1,
          borderColor: "#fff",
          borderWidth: 1
        }]
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: "linear", min: first, max: last, offset: false, title: { display: true, text: "NEG detach latency (s)" } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "terminations" } }
        },
        plugins: {
          legend: { display: false },
          annotation: { annotations: marks },
          tooltip: {
            callbacks: {
              title: function (items) {
                var p = items[0].raw;
                return p.from + "s – " + p.to + "s";
              }
            }
          }
        }
      }
    });
  }

  var charts = [
    { id: "chart-causes", draw: drawCauses },
    { id: "chart-latency", draw: drawLatency }
  ];

  function start() {
    var pending = charts.filter(function (c) { return document.getElementById(c.id); });
    if (pending.length === 0) {
      document.body.dataset.chartsReady = "1";
      return;
    }
    if (typeof Chart === "undefined") {
      document.body.dataset.chartsReady = "error";
      console.error("negtrace: Chart.js did not load");
      return;
    }
    Promise.all(pending.map(function (c) {
      var el = document.getElementById(c.id);
      return getJSON(el.dataset.api).then(function (data) {
        return c.draw(el, data);
      }).catch(function (err) {
        fail(el, err);
      });
    })).then(function () {
      document.body.dataset.chartsReady = "1";
    }).catch(function (err) {
      document.body.dataset.chartsReady = "error";
      console.error("negtrace: " + err.message);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
