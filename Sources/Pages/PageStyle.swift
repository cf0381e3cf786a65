/// The style sheet shared by the attention explorer and the training report.
enum PageStyle {
    static let common = """
    :root { --ink: #1b1f24; --muted: #5b6470; --line: #d8dde3; --card: #ffffff; --bg: #f3f5f7;
            --accent: #d95f02; --query: #1b7837; --key: #2166ac; --value: #762a83; }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--ink);
           font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
    header { padding: 14px 22px 6px; }
    h1 { font-size: 21px; margin: 0 0 2px; }
    h2 { font-size: 16px; margin: 0 0 8px; }
    h3 { font-size: 14px; margin: 10px 0 4px; }
    .sub { color: var(--muted); margin: 0; }
    main { padding: 0 22px 30px; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
            margin: 10px 0; min-width: 0; }
    .grid2 { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 14px; }
    @media (min-width: 1150px) { .grid2 { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
    .note { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; }
    .why { background: #fff8e6; border-left: 3px solid #f0b429; padding: 6px 10px; margin: 8px 0 0;
           font-size: 13px; border-radius: 0 6px 6px 0; }
    .warn { background: #fdecea; border-left: 3px solid #d93025; padding: 6px 10px; margin: 8px 0;
            border-radius: 0 6px 6px 0; }
    .tok { display: inline-block; padding: 1px 6px; margin: 2px 2px; border-radius: 4px; border: 1px solid var(--line);
           background: #fafbfc; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; cursor: default; }
    .tok.now { background: var(--accent); color: white; border-color: var(--accent); }
    .tok.future { opacity: 0.35; }
    .tok.click { cursor: pointer; }
    .seg { display: inline-flex; flex-wrap: wrap; gap: 0; margin: 0 10px 0 4px; vertical-align: middle; }
    .seg button { border: 1px solid #9aa4ae; background: white; padding: 3px 9px; margin: 0 -1px 0 0; cursor: pointer;
                  font: inherit; }
    .seg button:first-child { border-radius: 5px 0 0 5px; }
    .seg button:last-child { border-radius: 0 5px 5px 0; }
    .seg button.on { background: #24476b; color: white; border-color: #24476b; }
    .seg button:disabled { color: #b5bcc4; cursor: not-allowed; }
    button.step { font: inherit; padding: 4px 12px; border-radius: 5px; border: 1px solid #9aa4ae; background: white; cursor: pointer; }
    .row { margin: 6px 0; }
    .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
    svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
    #tip { position: fixed; pointer-events: none; background: rgba(20, 24, 28, 0.92); color: white; padding: 4px 7px;
           border-radius: 4px; font-size: 12px; z-index: 10; display: none; max-width: 420px; white-space: pre-line; }
    table.nums { border-collapse: collapse; font-size: 12.5px; }
    table.nums th { font-weight: 600; text-align: right; padding: 2px 6px; border-bottom: 1px solid var(--line); white-space: nowrap; }
    table.nums td { padding: 1px 6px; text-align: right; white-space: nowrap; }
    table.nums td.l, table.nums th.l { text-align: left; }
    table.nums tr.top td { background: #fff1e6; }
    table.nums tr.masked td { color: #9aa4ae; }
    table.nums tr.sum td { border-top: 1px solid var(--ink); font-weight: 600; }
    .bar { display: inline-block; height: 10px; background: #2b6cb0; vertical-align: middle; margin-right: 4px; }
    """
}
