/// The attention explorer's JavaScript, part 1: state, controls, keys, and the attention map.
/// Part 2 (`ExplorerScript.cards`) draws the close-up of one query, the merge of the heads, the
/// next-token probabilities and the captions. The data format is written by
/// `Training/ExplorerData.swift`; every number the page shows is either stored there or
/// computed here from stored numbers in plain sight (q·k/√d_k, the softmax check, w·v, Σ).
enum ExplorerScript {
    static var source: String { state + cards }

    static let state = #"""
    const M = DATA.model;
    const KIND_NAME = {enc: "encoder self-attention", dec: "decoder masked self-attention", cross: "cross-attention"};
    const KIND_SHORT = {enc: "encoder self", dec: "decoder masked self", cross: "cross"};
    const S = {sent: 0, kind: M.decoderLayers > 0 ? "cross" : "enc", layer: Math.max(0, (M.decoderLayers || M.encoderLayers) - 1), head: 0, step: 0, encRow: 0};
    let mapView = null, mapKey = "";

    /** Weights come as whole numbers of 1/weightScale, each row without its masked end: restore them. */
    for (const s of DATA.sentences) for (const a of s.attn) {
      const keys = a.kind === "dec" ? s.dec.length : s.src.length;
      const unpack = rows => rows.map(row => { const r = row.map(x => x / DATA.weightScale); while (r.length < keys) r.push(0); return r; });
      if (a.w) a.w = a.w.map(unpack);
      if (a.mean) a.mean = unpack(a.mean);
    }

    function sentence() { return DATA.sentences[S.sent]; }
    function nLayers(kind) { return kind === "enc" ? M.encoderLayers : M.decoderLayers; }
    function attnOf(kind, layer) { return sentence().attn.find(a => a.kind === kind && a.layer === layer); }
    function attn() { return attnOf(S.kind, S.layer); }
    function qTokens(a) { return a.kind === "enc" ? sentence().src : sentence().dec; }
    function kTokens(a) { return a.kind === "dec" ? sentence().dec : sentence().src; }
    function queryRow(a) { return a.kind === "enc" ? S.encRow : S.step; }
    function isVisible(a, t, s) { return !a.mask || a.mask[t][s] === "1"; }
    function hasHeads(a) { return !!a.w; }
    function meanRow(a, t) {
      if (a.mean) return a.mean[t];
      return a.w[0][t].map((_, s) => a.w.reduce((z, hw) => z + hw[t][s], 0) / a.w.length);
    }
    function shownRow(a, t) { return S.head === "mean" || !hasHeads(a) ? meanRow(a, t) : a.w[S.head][t]; }
    function stepCount() { return sentence().steps.length; }
    /** What row t of a decoder map predicts: the output token t. */
    function predicts(t) { const o = sentence().out; return t < o.length ? o[t] : null; }

    /** The head whose weights are most concentrated in the last cross-attention: a sharp first view. */
    function sharpestHead() {
      const a = attnOf("cross", M.decoderLayers - 1);
      if (!a || !hasHeads(a)) return "mean";
      let best = 0, bestScore = -1;
      a.w.forEach((hw, h) => {
        const score = hw.reduce((z, row) => z + Math.max(...row), 0) / hw.length;
        if (score > bestScore) { bestScore = score; best = h; }
      });
      return best;
    }

    function segment(node, items, current, choose) {
      clear(node);
      for (const [value, label, title, disabled] of items)
        node.append(el("button", {class: value === current ? "on" : null, title, disabled: !!disabled, dataset: {value: String(value)},
                                  onclick: () => { choose(value); render(); }}, label));
    }

    function renderControls() {
      const sel = byId("sentence");
      if (sel.options.length !== DATA.sentences.length) {
        clear(sel);
        DATA.sentences.forEach((s, i) => sel.append(el("option", {value: i}, `${i + 1}. ${cut(s.source, 70)}`)));
        sel.addEventListener("change", () => { S.sent = +sel.value; S.step = 0; S.encRow = 0; sel.blur(); render(); });
      }
      sel.value = S.sent;
      byId("sentenceRow").style.display = DATA.sentences.length > 1 ? "" : "none";
      segment(byId("kinds"), [["enc", "encoder self", "E: encoder self-attention"], ["dec", "decoder masked self", "D: decoder masked self-attention"],
                              ["cross", "cross", "C: cross-attention (query from the decoder, keys and values from the encoder output)"]],
              S.kind, k => { S.kind = k; S.layer = Math.min(S.layer, nLayers(k) - 1); });
      segment(byId("layers"), [...Array(nLayers(S.kind)).keys()].map(l => [l, String(l), `layer ${l}: ${S.kind === "enc" ? "encoder" : "decoder"}.layers.${l}`]),
              S.layer, l => { S.layer = l; });
      const a = attn();
      const heads = [...Array(M.heads).keys()].map(h => [h, "h" + h, `head ${h}: dimensions ${h * M.headDim}…${(h + 1) * M.headDim - 1} of q, k and v`, !a || !hasHeads(a)]);
      heads.push(["mean", "mean", `the mean of the ${M.heads} heads' weights`, !a || a.level === "none"]);
      segment(byId("heads"), heads, a && !hasHeads(a) ? "mean" : S.head, h => { S.head = h; });
      const s = sentence(), n = stepCount();
      byId("prev").disabled = S.step <= 0;
      byId("next").disabled = S.step >= n - 1;
      const p = predicts(S.step);
      byId("stepText").textContent = n === 0 ? "no output tokens" :
        `step ${S.step + 1} of ${n}: the decoder is at row ${S.step} (${quoted(s.dec[S.step])}) and predicts ${p ? quoted(p) : "nothing more"}`;
    }

    function tokenChips(tokens, current, future, onClick, what) {
      return tokens.map((t, i) => el("span", {class: "tok" + (i === current ? " now" : "") + (future && i > current ? " future" : "") + (onClick ? " click" : ""),
                                              title: `${what} ${i}: ${t}`, onclick: onClick ? () => { onClick(i); render(); } : null}, tokenLabel(t)));
    }

    function renderTokens() {
      const s = sentence(), box = clear(byId("tokens"));
      box.append(el("div", {class: "row"}, el("b", {}, "Source tokens "), el("span", {class: "note"}, "(the encoder's input; keys and values of cross-attention): "),
                    tokenChips(s.src, S.kind === "enc" ? S.encRow : -1, false, i => { S.encRow = i; }, "source position")));
      box.append(el("div", {class: "row"}, el("b", {}, "Output tokens "), el("span", {class: "note"}, "(one per step; click one to jump): "),
                    tokenChips(s.out, S.step, true, i => { S.step = i; }, "output token")));
      if (!s.finished) box.append(el("p", {class: "note"}, "The translation reached the length limit before the model produced </s>."));
      const note = byId("sentenceNote");
      note.textContent = s.note || "";
      note.style.display = s.note ? "" : "none";
    }

    function renderWhere() {
      const a = attn(), s = sentence(), box = clear(byId("where"));
      if (!a) { box.append(el("p", {class: "warn"}, "This model has no such attention.")); return; }
      const t = queryRow(a), name = `${a.kind === "enc" ? "encoder" : "decoder"}.layers.${a.layer}.${a.kind === "cross" ? "cross" : "self"}`;
      const role = (cls, head, body) => el("div", {class: "role " + cls}, el("b", {}, head), el("div", {}, body));
      box.append(el("h2", {}, `${name}: ${KIND_NAME[a.kind]}`));
      if (a.kind === "cross") {
        box.append(el("div", {class: "roles"},
          role("q", "query from the decoder", `the decoder's vector at row ${t} (${quoted(s.dec[t])}), after its masked self-attention: q = x·W_Qᵀ + b_Q`),
          role("k", "keys and values from the encoder output", `all ${s.src.length} source tokens after the ${M.encoderLayers} encoder layers: K = M·W_Kᵀ + b_K, V = M·W_Vᵀ + b_V — the same at every step`)));
      } else if (a.kind === "dec") {
        box.append(el("div", {class: "roles"},
          role("q", "query from the decoder", `row ${t} (${quoted(s.dec[t])}): q = x·W_Qᵀ + b_Q`),
          role("k", "keys and values from the decoder too", `rows 0…${t}: ${quoted(s.dec[0])} and the tokens produced so far; later rows are masked (they are not known yet at this step)`)));
      } else {
        box.append(el("div", {class: "roles"},
          role("q", "query from the source", `source token ${t} (${quoted(s.src[t])}); ↑ ↓ or a click on a row picks another`),
          role("k", "keys and values from the source too", `all ${s.src.length} source tokens: no mask, every token may look at every other; computed once, before the first step`)));
      }
    }

    function renderMap() {
      const a = attn(), key = [S.sent, S.kind, S.layer, S.head, a && a.level].join("/");
      const box = byId("map");
      if (key !== mapKey) {
        mapKey = key;
        clear(box);
        const title = byId("mapTitle");
        if (!a || a.level === "none") {
          title.textContent = "The attention map";
          box.append(el("p", {class: "warn"}, "This attention was not stored for this sentence (see the note at the top)."));
          mapView = null;
        } else {
          const mean = S.head === "mean" || !hasHeads(a);
          title.textContent = `The attention map: ${mean ? `mean of ${M.heads} heads` : "head " + S.head}`;
          const dec = a.kind !== "enc";
          mapView = heatmap({
            rows: qTokens(a), cols: kTokens(a),
            value: (t, s) => isVisible(a, t, s) ? shownRow(a, t)[s] : null,
            rowTitle: dec ? "queries: decoder positions (row i predicts token i+1)" : "queries: source tokens",
            colTitle: a.kind === "cross" ? "keys and values: source tokens, from the encoder output"
                    : a.kind === "dec" ? "keys and values: decoder positions" : "keys and values: source tokens",
            rowNote: dec ? t => predicts(t) ? `this row predicts ${quoted(predicts(t))}` : "" : null,
            onRow: t => { if (dec) S.step = Math.min(t, stepCount() - 1); else S.encRow = t; render(); },
          });
          box.append(mapView.node);
          box.append(weightLegend(!!a.mask));
          const s = sentence();
          box.append(el("p", {class: "note"}, dec
            ? `Each row is one decoder position and sums to 100%. Row i predicts token i+1: the row ${quoted(s.dec[0])} predicts ${quoted(s.out[0] || "")}` +
              (s.dec.length > 1 && s.out.length > 1 ? `, the row ${quoted(s.dec[1])} predicts ${quoted(s.out[1])}` : "") +
              ". The orange outline is this step's row; click a row to go to its step."
            : "Each row is one source token and sums to 100%. The orange outline is the query shown on the right; click a row to pick another."));
        }
      }
      if (mapView) mapView.setRow(queryRow(a));
    }

    function render() {
      if (S.head !== "mean" && S.head >= M.heads) S.head = 0;
      renderControls();
      renderTokens();
      renderWhere();
      renderMap();
      renderCloseup();
      renderMerge();
      renderNext();
      renderFixed();
      const a = attn();
      document.body.dataset.state = JSON.stringify({sentence: S.sent, kind: S.kind, layer: S.layer, head: S.head, step: S.step,
                                                   row: a ? queryRow(a) : null, name: a ? a.name : null});
    }

    document.addEventListener("keydown", ev => {
      if (ev.target && (ev.target.tagName === "SELECT" || ev.target.tagName === "INPUT") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const src = sentence().src.length, k = ev.key;
      if (k === "ArrowRight") S.step = Math.max(0, Math.min(stepCount() - 1, S.step + 1));
      else if (k === "ArrowLeft") S.step = Math.max(0, S.step - 1);
      else if (k === "Home") S.step = 0;
      else if (k === "End") S.step = Math.max(0, stepCount() - 1);
      else if (k === "ArrowDown") S.encRow = Math.min(src - 1, S.encRow + 1);
      else if (k === "ArrowUp") S.encRow = Math.max(0, S.encRow - 1);
      else if (k === "e" || k === "d" || k === "c") { S.kind = {e: "enc", d: "dec", c: "cross"}[k]; S.layer = Math.min(S.layer, nLayers(S.kind) - 1); }
      else if (k === "l") S.layer = (S.layer + 1) % nLayers(S.kind);
      else if (k === "m") S.head = "mean";
      else if (/^[0-9]$/.test(k) && +k < M.heads) S.head = +k;
      else return;
      ev.preventDefault();
      render();
    });
    byId("prev").addEventListener("click", () => { S.step = Math.max(0, S.step - 1); render(); });
    byId("next").addEventListener("click", () => { S.step = Math.max(0, Math.min(stepCount() - 1, S.step + 1)); render(); });
    """#
}
