/// The dashboard's one stylesheet: light and dark through `prefers-color-scheme`, a grid that
/// folds to one column on narrow windows, and the colours of run states, charts and graphs.
enum DashboardStylesheet {
    static let css = #"""
    :root {
      --bg: #f6f7fb; --panel: #ffffff; --text: #1b1f2a; --muted: #5f6b7c; --line: #e3e7ef; --accent: #4f46e5; --accent-text: #ffffff;
      --ok: #16a34a; --ok-bg: #dcfce7; --run: #2563eb; --run-bg: #dbeafe; --fail: #dc2626; --fail-bg: #fee2e2; --warn: #d97706; --warn-bg: #fef3c7;
      --idle: #94a3b8; --idle-bg: #f1f5f9; --crit: #db2777; --chart: #6366f1; --grid: #e5e7eb; --shadow: 0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.08);
      --radius: 10px; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      color-scheme: light dark;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #0d1117; --panel: #161b22; --text: #e6edf3; --muted: #8b98a9; --line: #2a313c; --accent: #818cf8; --accent-text: #0d1117;
        --ok: #3fb950; --ok-bg: #12361f; --run: #58a6ff; --run-bg: #112a4a; --fail: #f85149; --fail-bg: #3d1417; --warn: #e3b341; --warn-bg: #3a2a0b;
        --idle: #6e7681; --idle-bg: #1f252e; --crit: #f472b6; --chart: #818cf8; --grid: #2a313c; --shadow: none;
      }
    }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    a { color: var(--accent); text-decoration: none; }
    a:hover { text-decoration: underline; }
    h1 { font-size: 1.5rem; margin: 0 0 .25rem; letter-spacing: -.01em; }
    h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
    h3 { font-size: .95rem; margin: 1rem 0 .5rem; }
    p { margin: .4rem 0; }
    code, .mono, pre, textarea.mono { font-family: var(--mono); font-size: .86em; }
    .muted { color: var(--muted); }
    .small { font-size: .85em; }
    .nowrap { white-space: nowrap; }
    [hidden] { display: none !important; }

    .top { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; padding: .6rem 1.25rem; background: var(--panel); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 5; }
    .brand { display: flex; align-items: center; gap: .45rem; font-weight: 700; color: var(--text); }
    .top nav { display: flex; gap: .15rem; flex: 1 1 auto; overflow-x: auto; min-width: 0; scrollbar-width: none; }
    .top nav a { padding: .35rem .7rem; border-radius: 7px; color: var(--muted); white-space: nowrap; }
    .top nav a:hover { background: var(--idle-bg); text-decoration: none; color: var(--text); }
    .top nav a[aria-current="page"] { background: var(--idle-bg); color: var(--text); font-weight: 600; }
    .account { display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; font-size: .85rem; min-width: 0; }
    .account .who { max-width: 16rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .account .tenant { color: var(--muted); font-family: var(--mono); }
    .account select { width: auto; padding: .15rem .4rem; font-size: .8rem; }
    .wrap { max-width: 1240px; margin: 0 auto; padding: 1.25rem; }

    .page-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 1rem; flex-wrap: wrap; margin-bottom: 1rem; }
    .page-head > * { min-width: 0; }
    .card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.1rem; box-shadow: var(--shadow); min-width: 0; }
    .card-head { display: flex; justify-content: space-between; align-items: baseline; gap: .5rem; flex-wrap: wrap; margin-bottom: .5rem; }
    .card-head h2 { margin: 0; }
    .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: .9rem; margin-bottom: .9rem; }
    .stat .label { color: var(--muted); font-size: .82rem; text-transform: uppercase; letter-spacing: .04em; }
    .stat .value { font-size: 1.7rem; font-weight: 700; margin: .1rem 0; font-variant-numeric: tabular-nums; }
    .stat .detail { color: var(--muted); font-size: .85rem; }
    .sections { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .9rem; }
    .sections > .wide, .sections > .stats { grid-column: 1 / -1; }
    .notice { background: var(--run-bg); border: 1px solid var(--line); border-radius: var(--radius); padding: .7rem 1rem; margin-bottom: 1rem; }
    .error { color: var(--fail); background: var(--fail-bg); border-radius: 8px; padding: .55rem .8rem; }
    .warning { color: var(--warn); background: var(--warn-bg); border-radius: 8px; padding: .5rem .8rem; }
    .empty { text-align: center; color: var(--muted); padding: 1.2rem .5rem; }
    .secret { display: block; margin-top: .4rem; padding: .5rem .7rem; background: var(--panel); border: 1px dashed var(--accent); border-radius: 6px; word-break: break-all; user-select: all; }

    table { width: 100%; border-collapse: collapse; font-size: .9rem; }
    th, td { text-align: left; padding: .45rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { color: var(--muted); font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
    tr.group th { background: var(--idle-bg); color: var(--text); text-transform: none; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.task { max-width: 28rem; min-width: 9rem; overflow-wrap: anywhere; }
    .table-scroll { overflow-x: auto; }
    .actions-cell { white-space: nowrap; }

    .badge { display: inline-block; padding: .05rem .55rem; border-radius: 999px; font-size: .78rem; font-weight: 600; background: var(--idle-bg); color: var(--muted); white-space: nowrap; }
    .status-succeeded, .status-active, .status-ok, .status-ready { background: var(--ok-bg); color: var(--ok); }
    .status-running, .status-queued { background: var(--run-bg); color: var(--run); }
    .status-failed, .status-revoked, .status-suspended, .status-not_ready, .status-degraded { background: var(--fail-bg); color: var(--fail); }
    .status-cancelled, .status-expired, .status-partial { background: var(--warn-bg); color: var(--warn); }
    .chip { display: inline-block; font-family: var(--mono); font-size: .78rem; padding: .05rem .45rem; border-radius: 6px; background: var(--idle-bg); margin: .1rem 0; }
    .circuit-closed { background: var(--ok-bg); color: var(--ok); }
    .circuit-open { background: var(--fail-bg); color: var(--fail); }
    .circuit-half_open, .circuit-halfOpen { background: var(--warn-bg); color: var(--warn); }

    button, .button { display: inline-flex; align-items: center; gap: .3rem; font: inherit; font-size: .9rem; padding: .42rem .85rem; border-radius: 8px; border: 1px solid var(--line); background: var(--panel); color: var(--text); cursor: pointer; text-decoration: none; }
    button:hover, .button:hover { border-color: var(--accent); text-decoration: none; }
    button.primary, .button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); font-weight: 600; }
    button.danger { color: var(--fail); }
    button.small, .button.small { font-size: .8rem; padding: .2rem .55rem; }
    button.link { border: 0; background: none; color: var(--accent); padding: 0; }
    form.inline { display: inline; }
    .form { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: .75rem 1rem; align-items: end; }
    .form .wide, .form .actions, .form fieldset, .form p { grid-column: 1 / -1; }
    .inline-form { margin-top: 1rem; padding-top: 1rem; border-top: 1px solid var(--line); }
    label { display: flex; flex-direction: column; gap: .25rem; font-size: .85rem; color: var(--muted); font-weight: 500; min-width: 0; }
    label small { font-weight: 400; }
    input, select, textarea { font: inherit; font-size: .92rem; color: var(--text); background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: .45rem .6rem; width: 100%; min-width: 0; }
    input:focus, select:focus, textarea:focus, button:focus-visible, .node:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
    textarea { resize: vertical; }
    fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: .75rem; display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: .75rem; }
    legend { color: var(--muted); font-size: .85rem; padding: 0 .3rem; }
    .actions { display: flex; gap: .5rem; justify-content: flex-end; flex-wrap: wrap; }
    .filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .6rem; align-items: end; margin-bottom: 1rem; }
    .filter-actions { display: flex; gap: .6rem; align-items: center; }
    .pager { display: flex; justify-content: space-between; margin-top: .8rem; }

    .signin { min-height: 100vh; display: grid; place-items: center; padding: 1rem; }
    .signin-card { width: 100%; max-width: 400px; display: grid; gap: .6rem; }
    .signin-card h1 { display: flex; align-items: center; gap: .5rem; }
    .signin-card form { display: grid; gap: .7rem; }
    .alt-signin summary { cursor: pointer; color: var(--muted); font-size: .9rem; margin: .4rem 0; }
    .error-page { max-width: 640px; margin: 3rem auto; padding: 0 1rem; }

    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(110px, 1fr)); gap: .6rem; margin: .6rem 0 0; }
    .figures dt { color: var(--muted); font-size: .78rem; text-transform: uppercase; letter-spacing: .03em; }
    .figures dd { margin: 0; font-size: 1.1rem; font-weight: 600; font-variant-numeric: tabular-nums; }
    .estimate { margin-top: 1rem; border-color: var(--accent); }

    .chart-box { margin: 0; }
    .chart-box figcaption { color: var(--muted); font-size: .8rem; text-align: center; }
    svg.chart { width: 100%; height: auto; display: block; }
    .chart .bar { fill: var(--chart); }
    .chart .bar:hover { opacity: .8; }
    .chart .grid { stroke: var(--grid); stroke-width: 1; }
    .chart text { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
    .chart .label { fill: var(--text); font-size: 13px; }
    .chart .value { fill: var(--text); font-size: 12px; font-variant-numeric: tabular-nums; }
    .gauge { margin: .4rem 0; }
    .gauge-label { display: flex; justify-content: space-between; gap: .5rem; font-size: .82rem; color: var(--muted); flex-wrap: wrap; }
    .gauge-bar { width: 100%; height: 10px; display: block; margin-top: .25rem; }
    .gauge .track { fill: var(--idle-bg); }
    .gauge .fill.ok { fill: var(--ok); }
    .gauge .fill.warn { fill: var(--warn); }
    .gauge .fill.over { fill: var(--fail); }

    .run-grid { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: .9rem; }
    .graph-card, .output-card, .report-card { grid-column: 1 / -1; }
    .agents-card { grid-column: 1; grid-row: 2; }
    .budget-card { grid-column: 2; grid-row: 2; align-self: start; }
    .task-text { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 60rem; }
    .run-actions { display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; }
    .live { font-size: .78rem; color: var(--ok); }
    .live::before { content: "●"; margin-right: .25rem; }
    .live.reconnecting { color: var(--warn); }
    .graph-box { overflow: auto; max-height: 70vh; padding: .25rem 0; }
    .graph-box.waiting { padding: 2rem; text-align: center; }
    svg.graph { display: block; max-width: none; }
    .graph .edge { fill: none; stroke: var(--idle); stroke-width: 1.6; marker-end: url(#arrow); opacity: .8; }
    .graph .edge.critical { stroke: var(--crit); stroke-width: 2.6; opacity: 1; }
    .graph .arrow { fill: var(--idle); }
    .graph .node { cursor: pointer; }
    .graph .node rect { fill: var(--panel); stroke: var(--idle); stroke-width: 1.5; }
    .graph .node .dot { fill: var(--idle); }
    .graph .node .title { fill: var(--text); font: 600 13px system-ui, sans-serif; }
    .graph .node .subtitle { fill: var(--muted); font: 11px system-ui, sans-serif; }
    .graph .node[data-state="running"] rect { fill: var(--run-bg); stroke: var(--run); }
    .graph .node[data-state="running"] .dot { fill: var(--run); }
    .graph .node[data-state="done"] rect { fill: var(--ok-bg); stroke: var(--ok); }
    .graph .node[data-state="done"] .dot { fill: var(--ok); }
    .graph .node[data-state="failed"] rect { fill: var(--fail-bg); stroke: var(--fail); }
    .graph .node[data-state="failed"] .dot { fill: var(--fail); }
    .graph .node[data-state="skipped"] rect { stroke-dasharray: 4 3; }
    .graph .node.critical rect { stroke: var(--crit); stroke-width: 2.6; }
    .graph .node.selected rect { stroke-width: 3; filter: drop-shadow(0 0 3px var(--accent)); }
    .legend { display: flex; gap: .8rem; list-style: none; padding: 0; margin: 0; font-size: .8rem; color: var(--muted); flex-wrap: wrap; }
    .legend li::before { content: ""; display: inline-block; width: .7rem; height: .7rem; border-radius: 3px; margin-right: .3rem; vertical-align: -1px; background: var(--idle); }
    .legend .running::before { background: var(--run); }
    .legend .done::before { background: var(--ok); }
    .legend .failed::before { background: var(--fail); }
    .legend .critical::before { background: var(--crit); }
    #agents-table tbody tr { cursor: pointer; }
    #agents-table tbody tr.selected { background: var(--idle-bg); }
    pre.output, pre.yaml { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: .75rem; max-height: 24rem; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; margin: .5rem 0 0; }
    pre.output:empty { display: none; }
    .markdown { overflow-wrap: anywhere; }
    .report-card .markdown { max-height: 40rem; overflow: auto; padding-right: .5rem; }
    .markdown pre { background: var(--bg); padding: .7rem; border-radius: 8px; overflow-x: auto; }
    .markdown blockquote { border-left: 3px solid var(--line); margin: .5rem 0; padding-left: .8rem; color: var(--muted); }
    .markdown table { margin: .5rem 0; }

    @media (max-width: 900px) {
      .sections, .run-grid { grid-template-columns: minmax(0, 1fr); }
      .agents-card, .budget-card { grid-column: 1; grid-row: auto; }
      .wrap { padding: .8rem; }
      .top { padding: .5rem .8rem; gap: .5rem; }
      .account .tenant { display: none; }
    }
    @media (max-width: 520px) {
      .stat .value { font-size: 1.35rem; }
      th, td { padding: .35rem .4rem; }
      h1 { font-size: 1.25rem; }
    }
    """#
}
