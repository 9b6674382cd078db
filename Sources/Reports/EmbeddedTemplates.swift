// Generated from reports/*.mustache: do not edit by hand. After changing a template, run
// `RECKON_UPDATE_TEMPLATES=1 swift test --filter ReportsTests` to regenerate this file.

/// The default HTML report templates, compiled into the binary so a `reckon` copied without
/// the `reports/` folder still renders; by name (file name without `.mustache`).
enum EmbeddedTemplates {
    static let all: [String: String] = [
        "chart": ##"""
        {{#chart}}
        <div class="chart">
        <svg xmlns="http://www.w3.org/2000/svg" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="{{title}}">
        <title>{{title}}</title>
        <line x1="{{plotLeft}}" y1="4" x2="{{plotLeft}}" y2="{{axisY}}" stroke="#98a2b3" stroke-width="1"/>
        {{#ticks}}
        <line x1="{{x}}" y1="4" x2="{{x}}" y2="{{axisY}}" stroke="#eaecf0" stroke-width="1"/>
        <text x="{{x}}" y="{{labelY}}" font-size="10" fill="#667085" text-anchor="middle">{{label}}</text>
        {{/ticks}}
        {{#bars}}
        <g>
        <title>{{key}}: {{valueLabel}}{{#hasThreshold}} (threshold {{thresholdLabel}}){{/hasThreshold}}</title>
        <text x="{{labelX}}" y="{{textY}}" font-size="11" fill="#344054" text-anchor="end">{{label}}</text>
        <rect x="{{plotLeft}}" y="{{y}}" width="{{barWidth}}" height="{{barHeight}}" rx="2" class="bar bar-{{status}}"/>
        <text x="{{valueX}}" y="{{textY}}" font-size="11" fill="#101828">{{valueLabel}}</text>
        {{#hasThreshold}}
        <line x1="{{thresholdX}}" y1="{{thresholdTop}}" x2="{{thresholdX}}" y2="{{thresholdBottom}}" stroke="#101828" stroke-width="2"/>
        {{/hasThreshold}}
        </g>
        {{/bars}}
        </svg>
        <p class="chart-legend">Bars: {{valueName}}; black marks: thresholds.</p>
        </div>
        {{/chart}}

        """##,
        "check": ##"""
        <section class="check check-{{status}}" id="{{anchor}}">
        <h3><span class="badge badge-{{status}}">{{statusLabel}}</span> <span class="check-name">{{{nameHTML}}}</span></h3>
        <p class="meta"><span class="kind">{{kind}}</span> · severity {{severity}} · <code>{{file}}:{{line}}</code>{{#hasTable}} · table <code>{{table}}</code>{{/hasTable}}{{#hasOwner}} · owner {{owner}}{{/hasOwner}} · {{duration}}{{#hasTags}} · {{#tags}}<span class="tag">{{.}}</span> {{/tags}}{{/hasTags}}</p>
        {{#hasDescription}}
        <p class="description">{{description}}</p>
        {{/hasDescription}}
        <table class="verdict-table">
        <tr><th scope="row">Observed</th><td class="observed">{{observed}}</td></tr>
        <tr><th scope="row">Expected</th><td>{{expected}}</td></tr>
        {{#hasMessage}}
        <tr><th scope="row">Result</th><td>{{message}}</td></tr>
        {{/hasMessage}}
        {{#hasError}}
        <tr><th scope="row">Error</th><td><pre class="error-message">{{errorMessage}}</pre></td></tr>
        {{/hasError}}
        </table>
        {{#hasFigures}}
        <table class="figures">
        <caption>Figures</caption>
        <tbody>
        {{#figures}}
        <tr><th scope="row">{{name}}</th><td class="num">{{value}}</td></tr>
        {{/figures}}
        </tbody>
        </table>
        {{/hasFigures}}
        {{#hasGroups}}
        {{> groups}}
        {{/hasGroups}}
        {{#hasSample}}
        <div class="scroll">
        <table class="sample">
        <caption>Failing rows: a sample of {{sampleCount}} (the SQL below lists them all){{#hasHiddenSampleColumns}}; the key and the columns the check uses are shown, {{hiddenSampleColumnCount}} more are in the JSON result{{/hasHiddenSampleColumns}}</caption>
        <thead><tr>{{#sampleColumns}}<th>{{.}}</th>{{/sampleColumns}}</tr></thead>
        <tbody>
        {{#sampleRows}}
        <tr>{{#cells}}{{#isNull}}<td class="null">NULL</td>{{/isNull}}{{^isNull}}<td>{{text}}</td>{{/isNull}}{{/cells}}</tr>
        {{/sampleRows}}
        </tbody>
        </table>
        </div>
        {{/hasSample}}
        {{#hasSQL}}
        <details class="sql"{{#sqlOpen}} open{{/sqlOpen}}>
        <summary>SQL</summary>
        <pre><code>{{sql}}</code></pre>
        </details>
        {{/hasSQL}}
        </section>

        """##,
        "groups": ##"""
        <div class="groups">
        <div class="groups-table">
        <table class="group-table">
        <caption>{{groupsTitle}}</caption>
        <thead><tr><th>Status</th><th>Group</th><th>Observed</th><th>Expected</th>{{#groupColumns}}<th class="num">{{.}}</th>{{/groupColumns}}</tr></thead>
        <tbody>
        {{#groupRows}}
        <tr class="row-{{status}}"><td><span class="badge badge-{{status}}">{{statusLabel}}</span></td><td>{{key}}</td><td>{{observed}}</td><td>{{expected}}</td>{{#cells}}<td class="num">{{.}}</td>{{/cells}}</tr>
        {{/groupRows}}
        </tbody>
        </table>
        </div>
        {{#hasChart}}
        {{> chart}}
        {{/hasChart}}
        </div>

        """##,
        "report": ##"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="reckon {{reckonVersion}}">
        <title>reckon {{command}}: {{statusLabel}} ({{countsText}})</title>
        <style>
        {{> style}}
        </style>
        </head>
        <body>
        <div class="page">
        {{> summary}}
        {{#hasTrends}}
        <h2 id="trends">Trends</h2>
        {{#trends}}
        {{> trend}}
        {{/trends}}
        {{/hasTrends}}
        {{#hasProblems}}
        <h2 id="problems">Failed and erroring checks <span class="count">{{problemCount}}</span></h2>
        {{#problems}}
        {{> check}}
        {{/problems}}
        {{/hasProblems}}
        {{#hasWarnings}}
        <h2 id="warnings">Warnings <span class="count">{{warningCount}}</span></h2>
        {{#warnings}}
        {{> check}}
        {{/warnings}}
        {{/hasWarnings}}
        {{#hasPasses}}
        <h2 id="passed">Passed checks <span class="count">{{passCount}}</span></h2>
        <details class="passes">
        <summary>Show the {{passCount}} passed checks</summary>
        {{#passes}}
        {{> check}}
        {{/passes}}
        </details>
        {{/hasPasses}}
        {{^hasChecks}}
        <p class="empty">No checks ran.</p>
        {{/hasChecks}}
        <p class="footer">Generated by reckon {{reckonVersion}} at {{generatedAt}} from the {{command}} started {{startedAt}}.</p>
        </div>
        </body>
        </html>

        """##,
        "style": ##"""
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f2f4f7; color: #101828; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
        .page { max-width: 1120px; margin: 0 auto; padding: 24px; }
        h1 { font-size: 22px; margin: 0; }
        h2 { font-size: 18px; margin: 32px 0 12px; border-bottom: 2px solid #d0d5dd; padding-bottom: 4px; }
        h2 .count { display: inline-block; min-width: 24px; padding: 0 8px; border-radius: 12px; background: #e4e7ec; font-size: 13px; text-align: center; vertical-align: middle; }
        h3 { font-size: 16px; margin: 0 0 4px; overflow-wrap: break-word; }
        .check-name { word-break: normal; overflow-wrap: break-word; hyphens: none; }
        code, pre { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
        pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
        table { border-collapse: collapse; }
        th, td { text-align: left; vertical-align: top; padding: 4px 10px; }
        caption { text-align: left; font-weight: 600; padding: 6px 0; color: #344054; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .muted { color: #667085; }
        .summary { background: #fff; border: 1px solid #d0d5dd; border-top: 6px solid #98a2b3; border-radius: 8px; padding: 16px 20px; }
        .summary.status-fail { border-top-color: #d92d20; }
        .summary.status-error { border-top-color: #9e165f; }
        .summary.status-warn { border-top-color: #dc6803; }
        .summary.status-pass { border-top-color: #079455; }
        .headline td { padding: 0 12px 0 0; vertical-align: middle; }
        .counts { margin: 16px 0; }
        .count-cell { padding: 8px 20px 8px 0; }
        .count-cell .number { display: block; font-size: 26px; font-weight: 700; line-height: 1.1; }
        .count-cell .label { color: #475467; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
        .count-cell.fail .number { color: #d92d20; }
        .count-cell.error .number { color: #9e165f; }
        .count-cell.warn .number { color: #dc6803; }
        .count-cell.pass .number { color: #079455; }
        .facts th { color: #475467; font-weight: 500; padding-left: 0; width: 140px; }
        .facts td, .facts th { padding-top: 2px; padding-bottom: 2px; word-break: break-all; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11px; font-weight: 700; letter-spacing: 0.04em; color: #fff; background: #667085; vertical-align: middle; white-space: nowrap; }
        .badge-fail { background: #d92d20; }
        .badge-error { background: #9e165f; }
        .badge-warn { background: #dc6803; }
        .badge-pass { background: #079455; }
        .overview { width: 100%; background: #fff; border: 1px solid #d0d5dd; }
        .overview th { background: #f9fafb; border-bottom: 1px solid #d0d5dd; font-size: 12px; color: #475467; }
        .overview td { border-bottom: 1px solid #eaecf0; overflow-wrap: break-word; }
        .overview a { color: #175cd3; }
        .check { background: #fff; border: 1px solid #d0d5dd; border-left: 6px solid #98a2b3; border-radius: 8px; padding: 14px 18px; margin: 0 0 14px; page-break-inside: avoid; }
        .check-fail { border-left-color: #d92d20; }
        .check-error { border-left-color: #9e165f; }
        .check-warn { border-left-color: #dc6803; }
        .check-pass { border-left-color: #079455; }
        .meta { margin: 0 0 8px; color: #475467; font-size: 12.5px; word-break: break-word; }
        .kind { font-weight: 600; color: #344054; }
        .tag { display: inline-block; background: #eff8ff; color: #175cd3; border-radius: 4px; padding: 0 6px; font-size: 11.5px; }
        .description { margin: 0 0 8px; }
        .verdict-table th { color: #475467; font-weight: 500; padding-left: 0; width: 110px; }
        .verdict-table td { word-break: break-word; }
        .observed { font-weight: 700; }
        .error-message { color: #9e165f; }
        .figures, .group-table, .sample { margin: 10px 0; border: 1px solid #eaecf0; }
        .figures th, .figures td, .group-table th, .group-table td, .sample th, .sample td { border-bottom: 1px solid #eaecf0; font-size: 12.5px; }
        .group-table thead th, .sample thead th { background: #f9fafb; color: #475467; }
        .row-fail td { background: #fef3f2; }
        .row-error td { background: #fdf2fa; }
        .row-warn td { background: #fffaeb; }
        .groups { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
        .groups-table { flex: 1 1 420px; overflow-x: auto; }
        .chart { flex: 0 0 auto; margin-top: 10px; }
        .chart svg { display: block; background: #fcfcfd; border: 1px solid #eaecf0; border-radius: 4px; }
        .chart-legend { margin: 4px 0 0; font-size: 11.5px; color: #667085; }
        .bar { fill: #98a2b3; }
        .bar-pass { fill: #17b26a; }
        .bar-warn { fill: #f79009; }
        .bar-fail { fill: #f04438; }
        .bar-error { fill: #c11574; }
        .scroll { overflow-x: auto; max-width: 100%; }
        .trend { margin: 12px 0 20px; }
        .trend h3 { font-size: 15px; margin: 0 0 6px; }
        .trend-body { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
        .trend-chart { flex: 0 1 auto; margin: 0; max-width: 100%; overflow-x: auto; }
        .trend-chart svg { display: block; background: #fcfcfd; border: 1px solid #eaecf0; border-radius: 4px; }
        .trend-table { flex: 1 1 320px; max-height: 320px; overflow-y: auto; }
        .trend-table th[scope="row"] { font-weight: normal; white-space: nowrap; }
        .day-mark { stroke: #ffffff; stroke-width: 1.5; }
        .day-fail { fill: #d92d20; }
        .day-error { fill: #c11574; }
        .day-warn { fill: #f79009; }
        .cell-fail { background: #fef3f2; }
        .cell-error { background: #fdf2fa; }
        .cell-warn { background: #fffaeb; }
        .legend-item { white-space: nowrap; margin-right: 10px; }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
        .sample td { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; white-space: pre-wrap; word-break: break-word; }
        .null { color: #98a2b3; font-style: italic; }
        details.sql { margin-top: 8px; }
        details.sql summary, details.passes > summary { cursor: pointer; color: #175cd3; font-weight: 600; }
        details.sql pre { background: #101828; color: #f2f4f7; border-radius: 6px; padding: 10px 12px; margin-top: 6px; }
        details.passes > summary { margin-bottom: 12px; }
        .empty { color: #475467; }
        .footer { margin-top: 32px; color: #667085; font-size: 12px; }
        @media print {
          body { background: #fff; font-size: 11px; }
          .page { max-width: none; padding: 0; }
          .check, .summary, .overview { border-color: #98a2b3; }
          details.sql pre { background: #fff; color: #000; border: 1px solid #d0d5dd; }
          a { color: inherit; text-decoration: none; }
          h2 { page-break-after: avoid; }
        }

        """##,
        "summary": ##"""
        <header class="summary status-{{status}}">
        <table class="headline" role="presentation"><tr>
        <td class="verdict"><span class="badge badge-{{status}}">{{statusLabel}}</span></td>
        <td><h1>reckon {{command}}: {{headline}}</h1></td>
        </tr></table>
        <table class="counts">
        <tr>
        <td class="count-cell fail"><span class="number">{{counts.fail}}</span><span class="label">failed</span></td>
        <td class="count-cell error"><span class="number">{{counts.error}}</span><span class="label">errors</span></td>
        <td class="count-cell warn"><span class="number">{{counts.warn}}</span><span class="label">warnings</span></td>
        <td class="count-cell pass"><span class="number">{{counts.pass}}</span><span class="label">passed</span></td>
        <td class="count-cell total"><span class="number">{{counts.total}}</span><span class="label">checks</span></td>
        </tr>
        </table>
        <table class="facts">
        <tr><th scope="row">Started</th><td>{{startedAt}}</td></tr>
        <tr><th scope="row">Duration</th><td>{{duration}}</td></tr>
        <tr><th scope="row">Database</th><td><code>{{database}}</code></td></tr>
        <tr><th scope="row">Checked schema</th><td><code>{{checkedSchema}}</code></td></tr>
        <tr><th scope="row">Models commit</th><td>{{#hasModelsCommit}}<code>{{modelsCommit}}</code>{{/hasModelsCommit}}{{^hasModelsCommit}}<span class="muted">unknown</span>{{/hasModelsCommit}}</td></tr>
        {{#hasPublished}}
        <tr><th scope="row">Published</th><td>{{published}}</td></tr>
        {{/hasPublished}}
        {{#hasNotes}}
        <tr><th scope="row">Notes</th><td>{{#notes}}<div class="error-message">{{text}}</div>{{/notes}}</td></tr>
        {{/hasNotes}}
        <tr><th scope="row">reckon</th><td>{{reckonVersion}}</td></tr>
        </table>
        </header>
        {{#hasChecks}}
        <h2 id="overview">All checks</h2>
        <table class="overview">
        <thead><tr><th>Status</th><th>Check</th><th>Kind</th><th>Observed</th><th>Expected</th><th class="num">Time</th></tr></thead>
        <tbody>
        {{#ordered}}
        <tr class="row-{{status}}"><td><span class="badge badge-{{status}}">{{statusLabel}}</span></td><td class="check-name"><a href="#{{anchor}}">{{{nameHTML}}}</a></td><td>{{kind}}</td><td>{{observed}}</td><td>{{expected}}</td><td class="num">{{duration}}</td></tr>
        {{/ordered}}
        </tbody>
        </table>
        {{/hasChecks}}

        """##,
        "trend": ##"""
        <section class="trend" aria-labelledby="{{anchor}}-trend">
        <h3 id="{{anchor}}-trend"><a href="#{{anchor}}">{{checkName}}</a>: {{firstDay}} to {{lastDay}}</h3>
        <div class="trend-body">
        <figure class="trend-chart">
        <svg xmlns="http://www.w3.org/2000/svg" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="{{title}}">
        <title>{{title}}</title>
        {{#yTicks}}
        <line x1="{{plotLeft}}" y1="{{y}}" x2="{{plotRight}}" y2="{{y}}" stroke="#eaecf0" stroke-width="1"/>
        <text x="40" y="{{textY}}" font-size="10" fill="#667085" text-anchor="end">{{label}}</text>
        {{/yTicks}}
        {{#xTicks}}
        <text x="{{x}}" y="{{xLabelY}}" font-size="10" fill="#667085" text-anchor="middle">{{label}}</text>
        {{/xTicks}}
        {{#series}}
        <g class="series">
        {{#hasThreshold}}
        <line class="threshold threshold-error" x1="{{plotLeft}}" y1="{{thresholdY}}" x2="{{plotRight}}" y2="{{thresholdY}}" stroke="{{colour}}" stroke-width="1.5" stroke-dasharray="6 3"><title>{{thresholdLabel}}</title></line>
        <text x="{{thresholdLabelX}}" y="{{thresholdY}}" font-size="10" fill="{{colour}}" dominant-baseline="middle">{{thresholdLabel}}</text>
        {{/hasThreshold}}
        {{#hasWarnThreshold}}
        <line class="threshold threshold-warn" x1="{{plotLeft}}" y1="{{warnThresholdY}}" x2="{{plotRight}}" y2="{{warnThresholdY}}" stroke="{{colour}}" stroke-width="1" stroke-dasharray="2 3"><title>{{warnThresholdLabel}}</title></line>
        <text x="{{thresholdLabelX}}" y="{{warnThresholdY}}" font-size="10" fill="{{colour}}" dominant-baseline="middle">{{warnThresholdLabel}}</text>
        {{/hasWarnThreshold}}
        <polyline points="{{line}}" fill="none" stroke="{{colour}}" stroke-width="1.5"><title>{{name}}</title></polyline>
        {{#dots}}
        {{#flagged}}
        <circle class="day-mark day-{{status}}" cx="{{x}}" cy="{{y}}" r="5"><title>{{label}}</title></circle>
        {{/flagged}}
        {{^flagged}}
        <circle cx="{{x}}" cy="{{y}}" r="2.5" fill="{{colour}}"><title>{{label}}</title></circle>
        {{/flagged}}
        {{/dots}}
        </g>
        {{/series}}
        </svg>
        <figcaption class="chart-legend">
        {{#series}}<span class="legend-item"><span class="swatch" style="background: {{colour}}"></span>{{name}}</span> {{/series}}<br>
        Lines: the rate per day; dashed lines: error thresholds; dotted lines: warning thresholds; large red dots: failed days, amber: warned days{{#hasMarked}} ({{markedCount}} marked){{/hasMarked}}.
        </figcaption>
        </figure>
        <div class="trend-table scroll">
        <table class="group-table">
        <caption>The same figures, newest day first</caption>
        <thead><tr><th scope="col">Day</th>{{#seriesNames}}<th scope="col" class="num">{{.}}</th>{{/seriesNames}}</tr></thead>
        <tbody>
        {{#rows}}
        <tr><th scope="row">{{day}}</th>{{#cells}}<td class="num cell-{{status}}">{{text}}{{#flagged}} <span class="badge badge-{{status}}">{{statusLabel}}</span>{{/flagged}}</td>{{/cells}}</tr>
        {{/rows}}
        </tbody>
        </table>
        </div>
        </div>
        </section>

        """##,
    ]
}
