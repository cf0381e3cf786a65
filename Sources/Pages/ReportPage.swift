/// The training report's skeleton and style; `ReportScript` fills it from the embedded data.
enum ReportPage {
    static func body(name: String) -> String {
        """
        <header>
        <h1>Training report: \(HTMLPage.escape(name))</h1>
        <p class="sub" id="summary"></p>
        </header>
        <main>
        <div id="notes"></div>
        <div class="grid2">
          <section class="card"><h2>Loss</h2><div class="chart" id="lossChart"></div>
            <p class="note">Training loss is label-smoothed cross-entropy averaged over about a second of updates (raw), and its moving average (smoothed);
            validation loss is the plain cross-entropy of the validation set, in nats per target token.</p></section>
          <section class="card"><h2>BLEU and chrF on the validation set</h2><div class="chart" id="scoreChart"></div>
            <p class="note">The star marks the best validation: the weights saved as best.safetensors, which translate uses.</p></section>
          <section class="card"><h2>Learning rate</h2><div class="chart" id="lrChart"></div></section>
          <section class="card"><h2>Tokens per second</h2><div class="chart" id="tpsChart"></div></section>
          <section class="card"><h2>Gradient norm</h2><div class="chart" id="gradChart"></div>
            <p class="note" id="gradNote"></p></section>
          <section class="card"><h2>Skipped updates and resume points</h2><div id="events"></div></section>
        </div>
        <section class="card" id="attentionCard"><h2>Watch the alignment appear</h2>
          <p class="note">The cross-attention of one validation sentence, recorded at every validation: rows are the model's own output at that step
          (decoder positions; row i predicts token i+1), columns the source tokens. Drag the slider (or focus it and use ← →).</p>
          <div class="row"><input type="range" id="slider" min="0" max="0" value="0" step="1">
            <span id="sliderText"></span></div>
          <div class="row"><b>Decoder layer</b><span class="seg" id="attLayers"></span> <span class="note">(mean of the heads; layers count from 0)</span></div>
          <div id="attSentence"></div>
          <div id="attMap"></div>
        </section>
        <section class="card"><h2>Sample translations at each validation</h2><div id="samples"></div></section>
        <section class="card"><h2>Settings</h2><div id="config"></div></section>
        </main>
        """
    }

    static let style = """
    .chart svg { display: block; max-width: 100%; height: auto; }
    #slider { width: min(640px, 90%); vertical-align: middle; }
    #attMap { overflow: auto; max-height: 85vh; }
    #attMap svg.heatmap { display: block; }
    table.samples { border-collapse: collapse; font-size: 13px; width: 100%; }
    table.samples td, table.samples th { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
    table.samples td.step { white-space: nowrap; color: var(--muted); }
    table.config td { padding: 1px 10px 1px 0; font-size: 13px; }
    .legendrow { font-size: 12px; color: var(--muted); }
    """
}
