// Package web serves negtrace's browser dashboard, its JSON API and
// on-demand incident reports as one read-only http.Handler (New), over a
// Store that publishes analyses (analyzer.Snapshot) and makes reports for
// any time window.
//
// # Pages
//
// All pages are rendered server-side with html/template; tables work
// without JavaScript. A banner on every page says when the snapshot is the
// bundled demo; every page has a "Download report" form (GET /reports).
//
//	/            overview: window, headline numbers, 5xx by cause over time (#chart-causes), terminations
//	             with race errors, detach-latency histogram with p50/p90/p99 (#chart-latency), workloads at
//	             risk with their recommended settings, source health
//	/timeline    ?from=&to=: one lane per terminating pod deleted in the range (#timeline svg, drawn by
//	             analyzer/render.TimelineSVG); marks and dots have an SVG <title>; each lane links to the
//	             termination's evidence list below it (#t-N, N its index in the report)
//	/workloads   current preStop/grace vs recommended, action, race errors observed vs avoided, rationale, patch
//	/errors      ?cause=&workload=&details=&pod=&from=&to=&page=: the LB 5xx, filtered, 50 per page
//	/sources     source health (Snapshot.Sources), inputs (records, skipped, problems), analysis notes
//	/reports     ?from=&to=&format=json|markdown|html (default html): Store.Report for the window, rendered
//	             by analyzer/render; Markdown and HTML as an attachment negtrace-report-<from>-<to>.<ext>
//
// Times in parameters are RFC 3339, or without a zone (what an HTML
// datetime-local input sends) read as UTC; windows are [from, to), either
// bound may be left out. A bad parameter is a 400 that says which and why.
//
// The charts are drawn in the browser by static/app.js with the vendored
// Chart.js (static/vendor, see its README), from the API calls below; when
// they are drawn (at once on pages without charts) app.js sets
// document.body.dataset.chartsReady to "1" ("error" if one failed), and it
// logs any JavaScript error with console.error.
//
// # JSON API (/api/v1/)
//
// What the pages show, from the same view code. Before the first analysis
// every call answers 503 {"error": "..."}, as do bad parameters (400) and
// unknown calls (404) with their reason.
//
//	snapshot         {origin, demo, updated, window, summary, sources[]}
//	terminations     [analyzer.Termination...] as in the JSON report, report order
//	errors           ?cause=&workload=&details=&pod=&from=&to=&page=:
//	                 {total, page, per_page: 50, pages, items: [ErrorVerdict + workload]}
//	recommendations  [analyzer.Recommendation...]
//	inputs           [analyzer.Input...]
//	timeseries       ?bucket=30s|1m|60 (default: at most 60 buckets over the window):
//	                 {start, end, bucket_seconds, buckets[], labels[], series: [{cause, counts[], total}], total}
//	latency          {measured, bin_seconds, bins: [{from, to, count}], p50, p90, p99, max}
//	report           ?from=&to=: the full report (schema negtrace.report/v1) for that window
//
// # Operations
//
// /healthz is always 200 "ok"; /readyz is 200 once Store.Snapshot() is
// non-nil, else 503; /metrics is Options.Metrics, else 404.
//
// # Security
//
// Only GET and HEAD are served: any other method is 405, on any path.
// Every response carries a strict Content-Security-Policy (scripts,
// styles and fetches from this server only, no inline script or style, no
// framing), X-Content-Type-Options nosniff, Referrer-Policy no-referrer,
// X-Frame-Options DENY and Cross-Origin-Opener-Policy same-origin. The
// self-contained HTML report download is the one response whose CSP allows
// inline styles, and nothing else. Every value from the evidence is escaped
// by html/template on pages and by encoding/json (which also escapes < > &)
// in the API. Templates and assets are embedded: nothing is loaded from
// elsewhere.
package web
