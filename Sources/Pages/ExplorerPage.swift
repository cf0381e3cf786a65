/// The attention explorer (`translate --explain-html FILE`): one offline page that steps through
/// a translation token by token and shows, for a chosen attention, layer and head, the query of
/// that step, its scores against every key, the mask, the softmax, every value weighted, their
/// sum, the heads merged through W_O, and the next-token probabilities.
public enum ExplorerPage {
    /// The page for `data` (the format `Training/ExplorerData.swift` writes).
    public static func html(title: String, data: PageJSON) -> String {
        HTMLPage(title: title, style: style, body: body(title: title), data: data, script: ExplorerScript.source).html
    }

    static func body(title: String) -> String {
        """
        <header>
        <h1>\(HTMLPage.escape(title))</h1>
        <p class="sub">Q, K and V at work: step through the translation with ← → (or the buttons); pick the attention, layer and head.
        Keys: ← → step · ↑ ↓ the query row of the encoder · E D C attention · L next layer · 0–9 head · M mean of the heads. Hover any cell or strip for its numbers.</p>
        </header>
        <main>
        <section class="card" id="controls">
          <div class="row" id="sentenceRow"><b>Sentence</b> <select id="sentence"></select></div>
          <p class="warn" id="sentenceNote" style="display:none"></p>
          <div class="row"><b>Attention</b><span class="seg" id="kinds"></span>
            <b>Layer</b><span class="seg" id="layers"></span>
            <b>Head</b><span class="seg" id="heads"></span></div>
          <div class="row"><button class="step" id="prev" title="previous step (←)">◀ previous</button>
            <button class="step" id="next" title="next step (→)">next ▶</button> <span id="stepText"></span></div>
          <div id="tokens"></div>
        </section>
        <section class="card" id="where"></section>
        <div class="grid2 wide-right">
          <section class="card"><h2 id="mapTitle">The attention map</h2><div id="map"></div></section>
          <section class="card" id="closeup"></section>
        </div>
        <div class="grid2">
          <section class="card" id="merge"></section>
          <section class="card" id="nextToken"></section>
        </div>
        <section class="card" id="fixed"></section>
        </main>
        """
    }

    static let style = """
    .roles { display: flex; gap: 10px; flex-wrap: wrap; }
    .role { flex: 1 1 300px; border-radius: 6px; padding: 6px 10px; border: 1px solid var(--line); }
    .role.q { background: #eef7ee; border-color: #a6d3a6; }
    .role.k { background: #eaf1fa; border-color: #9fc0e6; }
    .role b { display: block; }
    .qlabel { font-weight: 700; color: var(--query); }
    .heatmap { cursor: pointer; display: block; }
    #map { overflow: auto; max-height: 85vh; }
    #closeup, #merge { overflow-x: auto; }
    @media (min-width: 1150px) { .grid2.wide-right { grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); } }
    .legend { display: block; margin-top: 6px; max-width: 100%; }
    table.closeup td { padding: 1px 5px; }
    .strip { vertical-align: middle; }
    ol.topk { margin: 4px 0; padding-left: 22px; }
    ol.topk li { margin: 2px 0; }
    ol.topk li.chosen { font-weight: 600; }
    canvas.wo { image-rendering: pixelated; border: 1px solid var(--line); vertical-align: middle; margin: 4px 0; }
    """
}
