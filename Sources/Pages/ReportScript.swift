/// The training report's JavaScript: line charts with values on hover, resume and skip markers,
/// the best validation marked, the attention slider, the samples and the settings.
enum ReportScript {
    static var source: String { charts + page }

    static let charts = #"""
    function niceTicks(lo, hi, n) {
      const span = hi - lo || 1, raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
      const step = (r >= 7.5 ? 10 : r >= 3.5 ? 5 : r >= 1.5 ? 2 : 1) * mag, out = [];
      for (let v = Math.ceil(lo / step) * step; v <= hi + span * 1e-9; v += step) out.push(+v.toPrecision(12));
      return out;
    }
    function fmtNum(x) {
      if (x === null || x === undefined || !isFinite(x)) return "–";
      const a = Math.abs(x);
      if (a !== 0 && (a < 1e-6 || a >= 1e6)) return x.toExponential(2);
      return a >= 100 ? x.toFixed(0) : String(+x.toPrecision(3));
    }
    /** Index of the x in sorted xs nearest to x. */
    function nearest(xs, x) {
      let lo = 0, hi = xs.length - 1;
      while (hi - lo > 1) { const m = (lo + hi) >> 1; if (xs[m] < x) lo = m; else hi = m; }
      return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
    }

    /**
     * A line chart of series {name, xs, ys, color, width, dash, dots} against the training step,
     * with vertical markers {x, kind: "resume"|"skip"|"best", label}, horizontal lines {y, label},
     * a legend, and every series' value at the pointer's step on hover.
     */
    function lineChart(node, {series, yTitle, logY = false, markers = [], hlines = [], yFrom0 = false, W = 620, H = 240}) {
      clear(node);
      series = series.map(s => {
        const p = s.xs.map((x, i) => [x, s.ys[i]]).filter(([x, y]) => x !== null && y !== null && isFinite(y) && (!logY || y > 0)).sort((a, b) => a[0] - b[0]);
        return Object.assign({}, s, {xs: p.map(q => q[0]), ys: p.map(q => q[1])});
      }).filter(s => s.xs.length);
      if (!series.length) { node.append(el("p", {class: "note"}, "Nothing recorded.")); return; }
      const f = logY ? Math.log10 : y => y;
      const allX = series.flatMap(s => s.xs), allY = series.flatMap(s => s.ys.map(f)).concat(hlines.map(h => f(h.y)));
      let x0 = Math.min(...allX), x1 = Math.max(...allX), y0 = Math.min(...allY), y1 = Math.max(...allY);
      if (x0 === x1) { x0 -= 1; x1 += 1; }
      if (yFrom0 && !logY) y0 = Math.min(0, y0);
      if (y0 === y1) { y0 -= 1; y1 += 1; }
      const pad = (y1 - y0) * 0.06; y1 += pad; if (!yFrom0) y0 -= pad;
      const L = 62, Rm = 16, T = 30, B = 36;
      const X = x => L + (x - x0) / (x1 - x0) * (W - L - Rm), Y = y => T + (1 - (f(y) - y0) / (y1 - y0)) * (H - T - B);
      const svg = sv("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", class: "linechart"});
      const grid = sv("g", {stroke: "#e6e9ed", "stroke-width": 1});
      for (const t of niceTicks(x0, x1, 6)) {
        grid.append(sv("line", {x1: X(t), x2: X(t), y1: T, y2: H - B}));
        svg.append(sv("text", {x: X(t), y: H - B + 14, "text-anchor": "middle", "font-size": 11}, fmtNum(t)));
      }
      let yt = niceTicks(y0, y1, 5);
      if (logY) {
        // Powers of ten, with 2 and 5 between them when the range is narrow.
        const lo = Math.pow(10, y0), hi = Math.pow(10, y1), cands = [];
        for (let e = Math.floor(y0); e <= Math.ceil(y1); e++) for (const m of [1, 2, 5]) cands.push(m * Math.pow(10, e));
        yt = cands.filter(v => v >= lo && v <= hi && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
        if (yt.length < 3) yt = cands.filter(v => v >= lo && v <= hi);
        if (yt.length < 2) yt = niceTicks(lo, hi, 4).filter(v => v > 0);
      }
      for (const t of yt) {
        grid.append(sv("line", {x1: L, x2: W - Rm, y1: Y(t), y2: Y(t)}));
        svg.append(sv("text", {x: L - 5, y: Y(t) + 4, "text-anchor": "end", "font-size": 11}, fmtNum(t)));
      }
      svg.prepend(grid);
      svg.append(sv("rect", {x: L, y: T, width: W - L - Rm, height: H - T - B, fill: "none", stroke: "#aab2bb"}));
      svg.append(sv("text", {x: L + (W - L - Rm) / 2, y: H - 4, "text-anchor": "middle", "font-size": 12}, "training step"));
      svg.append(sv("text", {transform: `translate(13,${T + (H - T - B) / 2}) rotate(-90)`, "text-anchor": "middle", "font-size": 12}, yTitle + (logY ? " (log scale)" : "")));
      for (const h of hlines) {
        svg.append(sv("line", {x1: L, x2: W - Rm, y1: Y(h.y), y2: Y(h.y), stroke: "#8d969f", "stroke-dasharray": "5 4"}));
        svg.append(sv("text", {x: W - Rm - 4, y: Y(h.y) - 4, "text-anchor": "end", "font-size": 10.5, fill: "#5b6470"}, h.label));
      }
      for (const m of markers) {
        if (m.x < x0 || m.x > x1) continue;
        if (m.kind === "resume") {
          svg.append(sv("line", {x1: X(m.x), x2: X(m.x), y1: T, y2: H - B, stroke: "#6b7280", "stroke-dasharray": "3 3", class: "marker-resume"}));
          svg.append(sv("text", {x: X(m.x) + 3, y: T + 10, "font-size": 10, fill: "#6b7280"}, m.label || "resumed"));
        } else if (m.kind === "skip") {
          svg.append(sv("line", {x1: X(m.x), x2: X(m.x), y1: H - B - 9, y2: H - B, stroke: "#d93025", "stroke-width": 2, class: "marker-skip"}));
        } else if (m.kind === "best") {
          svg.append(sv("line", {x1: X(m.x), x2: X(m.x), y1: T, y2: H - B, stroke: "#e0a100", "stroke-width": 1, class: "marker-best"}));
        }
      }
      series.forEach(s => {
        const d = s.xs.map((x, i) => (i ? "L" : "M") + X(x).toFixed(1) + " " + Y(s.ys[i]).toFixed(1)).join("");
        svg.append(sv("path", {d, fill: "none", stroke: s.color, "stroke-width": s.width || 1.6, "stroke-dasharray": s.dash || null,
                               opacity: s.opacity || 1, class: "series"}));
        if (s.dots) s.xs.forEach((x, i) => svg.append(sv("circle", {cx: X(x), cy: Y(s.ys[i]), r: 2.6, fill: s.color})));
        if (s.star !== undefined) {
          const i = s.xs.indexOf(s.star);
          if (i >= 0) svg.append(sv("text", {x: X(s.star), y: Y(s.ys[i]) - 6, "text-anchor": "middle", "font-size": 16, fill: "#e0a100", class: "best-star"}, "★"));
        }
      });
      // Legend.
      let lx = L;
      series.forEach(s => {
        svg.append(sv("line", {x1: lx, x2: lx + 18, y1: 14, y2: 14, stroke: s.color, "stroke-width": 2.5, "stroke-dasharray": s.dash || null}));
        const label = sv("text", {x: lx + 22, y: 18, "font-size": 11.5}, s.name);
        svg.append(label);
        lx += 34 + 6.4 * s.name.length;
      });
      // Hover: every series' value at the nearest recorded step.
      const guide = sv("line", {y1: T, y2: H - B, stroke: "#1b1f24", "stroke-width": 0.8, visibility: "hidden"});
      svg.append(guide);
      const hit = sv("rect", {x: L, y: T, width: W - L - Rm, height: H - T - B, fill: "transparent"});
      svg.append(hit);
      hit.addEventListener("mousemove", ev => {
        const box = svg.getBoundingClientRect(), k = W / box.width;
        const x = x0 + ((ev.clientX - box.left) * k - L) / (W - L - Rm) * (x1 - x0);
        const lines = series.map(s => { const i = nearest(s.xs, x); return `${s.name}: ${fmtNum(s.ys[i])} (step ${s.xs[i]})`; });
        const near = markers.filter(m => Math.abs(X(m.x) - X(x)) < 4).map(m => m.label || m.kind);
        guide.setAttribute("x1", X(x)); guide.setAttribute("x2", X(x)); guide.setAttribute("visibility", "visible");
        showTip(ev, lines.concat(near).join("\n"));
      });
      hit.addEventListener("mouseleave", () => { hideTip(); guide.setAttribute("visibility", "hidden"); });
      node.append(svg);
    }
    """#

    static let page = #"""
    const T = DATA.train, V = DATA.valid, A = DATA.attention;
    const events = DATA.events;
    const markers = events.filter(e => e.kind === "resume").map(e => ({x: e.step, kind: "resume", label: `resumed at ${e.step}`}))
      .concat(events.filter(e => e.kind === "skip").map(e => ({x: e.step, kind: "skip", label: `skipped update at ${e.step}: ${e.reason || ""}`})));
    const bestMarker = DATA.best !== null && DATA.best !== undefined ? [{x: DATA.best, kind: "best", label: `best validation (step ${DATA.best})`}] : [];
    const vs = k => V.map(v => v[k] === undefined ? null : v[k]);
    const vx = V.map(v => v.step);

    function smoothed(ys, beta = 0.9) {
      let m = 0, n = 0;
      return ys.map(y => { if (y === null) return null; m = beta * m + (1 - beta) * y; n++; return m / (1 - Math.pow(beta, n)); });
    }

    function summary() {
      const lastStep = T.step.length ? T.step[T.step.length - 1] : (V.length ? V[V.length - 1].step : 0);
      const secs = T.seconds.length ? T.seconds[T.seconds.length - 1] : null;
      const last = V[V.length - 1], best = V.find(v => v.step === DATA.best);
      const parts = [`${lastStep} updates` + (secs !== null ? `, ${(secs / 60).toFixed(1)} min of training` : "")];
      if (last) parts.push(`last validation (step ${last.step}): BLEU ${fmtNum(last.bleu)}, chrF ${fmtNum(last.chrf)}`);
      if (best) parts.push(`best: BLEU ${fmtNum(best.bleu)} at step ${best.step} (best.safetensors)`);
      byId("summary").textContent = parts.join(" · ") + ` · report written ${DATA.generated.replace("T", " ").replace("Z", " UTC")}`;
      for (const n of DATA.notes) byId("notes").append(el("p", {class: "warn note-old"}, n));
    }

    function charts() {
      lineChart(byId("lossChart"), {yTitle: "loss (nats per token)", markers: markers.concat(bestMarker), series: [
        {name: "training (raw)", xs: T.step, ys: T.loss, color: "#9ecae1", width: 1},
        {name: "training (smoothed)", xs: T.step, ys: smoothed(T.loss), color: "#2171b5", width: 2},
        {name: "validation", xs: vx, ys: vs("loss"), color: "#d95f02", width: 2, dots: true}]});
      lineChart(byId("scoreChart"), {yTitle: "score", yFrom0: true, markers: markers.concat(bestMarker), series: [
        {name: "BLEU", xs: vx, ys: vs("bleu"), color: "#1b7837", width: 2, dots: true, star: DATA.best},
        {name: "chrF", xs: vx, ys: vs("chrf"), color: "#762a83", width: 2, dots: true},
        {name: "BLEU, raw weights", xs: vx, ys: vs("rawBleu"), color: "#7fbf7b", width: 1.2, dash: "4 3"}]});
      lineChart(byId("lrChart"), {yTitle: "learning rate", yFrom0: true, markers, series: [{name: "learning rate", xs: T.step, ys: T.lr, color: "#2171b5"}]});
      lineChart(byId("tpsChart"), {yTitle: "tokens / s", yFrom0: true, markers, series: [{name: "tokens per second", xs: T.step, ys: T.tps, color: "#6a51a3"}]});
      const clip = DATA.trainConfig && DATA.trainConfig.optimizer && DATA.trainConfig.optimizer.clipNorm;
      lineChart(byId("gradChart"), {yTitle: "‖gradient‖", logY: true, markers, hlines: clip ? [{y: clip, label: `clipped above ${clip}`}] : [],
        series: [{name: "global gradient norm", xs: T.step, ys: T.gradNorm, color: "#cb181d", width: 1.2}]});
      byId("gradNote").textContent = "The norm of all gradients together, before clipping" + (clip ? `; above ${clip} the update is scaled down to it (--clip-norm).` : ".");
    }

    function eventList() {
      const box = byId("events"), skips = events.filter(e => e.kind === "skip");
      const total = T.skipped.filter(x => x !== null).pop();
      box.append(el("p", {}, `Skipped updates (a non-finite loss or gradient): ${total !== undefined ? total : skips.length}` +
                 (total === undefined && !skips.length ? " (not recorded by this run)" : "") + ". They are marked in red at the bottom of the charts; resume points are dashed lines."));
      const list = el("ul", {});
      for (const e of events) {
        const when = e.time ? ` (${e.time.replace("T", " ").replace("Z", " UTC")})` : "";
        list.append(el("li", {class: "event-" + e.kind}, e.kind === "start" ? `started at step ${e.step}${when}` :
          e.kind === "resume" ? `resumed from the checkpoint of step ${e.step}${when}` : `skipped the update at step ${e.step}: ${e.reason || "not finite"}`));
      }
      if (!events.length) list.append(el("li", {}, "No start, resume or skip records (an older train wrote this run)."));
      box.append(list);
    }

    let attLayer = 0, attView = null;
    function attention() {
      const slider = byId("slider");
      if (!A.length) {
        byId("attMap").append(el("p", {class: "note"}, "No attention was recorded for this run (see the note at the top)."));
        slider.disabled = true;
        return;
      }
      slider.max = A.length - 1;
      slider.value = A.length - 1;
      attLayer = A[A.length - 1].layers.length - 1;
      slider.addEventListener("input", drawAttention);
      drawAttention();
    }
    function drawAttention() {
      const i = +byId("slider").value, a = A[i];
      attLayer = Math.max(0, Math.min(attLayer, a.layers.length - 1));
      byId("sliderText").textContent = `validation ${i + 1} of ${A.length}: step ${a.step}` + (a.step === DATA.best ? " (the best)" : "");
      segment(byId("attLayers"), a.layers.map((_, l) => [l, String(l), `decoder.layers.${l}.cross`]), attLayer, l => { attLayer = l; drawAttention(); });
      const s = clear(byId("attSentence"));
      s.append(el("div", {}, el("b", {}, "Source: "), a.source), el("div", {}, el("b", {}, "Reference: "), a.reference),
               el("div", {}, el("b", {}, `Model at step ${a.step}: `), a.translation));
      const w = a.layers[attLayer];
      const map = clear(byId("attMap"));
      attView = heatmap({rows: a.dec.slice(0, w.length), cols: a.src, value: (t, c) => w[t][c],
        rowTitle: "queries: decoder positions (row i predicts token i+1)", colTitle: "keys and values: source tokens, from the encoder output",
        rowNote: t => a.out[t] ? `this row predicts ${quoted(a.out[t])}` : "", size: 520});
      map.append(attView.node, weightLegend(false));
      document.body.dataset.attention = JSON.stringify({index: i, step: a.step, layer: attLayer, rows: w.length, cols: a.src.length});
    }
    function segment(node, items, current, choose) {
      clear(node);
      for (const [value, label, title] of items)
        node.append(el("button", {class: value === current ? "on" : null, title, onclick: () => choose(value)}, label));
    }

    function samples() {
      const box = byId("samples"), rows = V.filter(v => v.samples && v.samples.length).reverse();
      if (!rows.length) { box.append(el("p", {class: "note"}, "No sample translations were recorded.")); return; }
      const table = el("table", {class: "samples"}, el("tr", {}, el("th", {}, "step"), el("th", {}, "source"), el("th", {}, "reference"), el("th", {}, "model")));
      for (const v of rows) v.samples.forEach(([src, ref, hyp], k) => table.append(el("tr", {class: v.step === DATA.best ? "best" : ""},
        el("td", {class: "step"}, k ? "" : String(v.step) + (v.step === DATA.best ? " ★" : "")), el("td", {}, src), el("td", {}, ref), el("td", {}, hyp))));
      box.append(table);
    }

    function settings() {
      const box = byId("config"), table = el("table", {class: "config"});
      const add = (prefix, o) => {
        for (const k of Object.keys(o || {})) {
          const v = o[k];
          if (v && typeof v === "object" && !Array.isArray(v)) add(prefix + k + ".", v);
          else table.append(el("tr", {}, el("td", {class: "mono"}, prefix + k), el("td", {}, JSON.stringify(v))));
        }
      };
      add("", DATA.trainConfig);
      if (DATA.modelConfig) add("model_config.", DATA.modelConfig);
      box.append(table.children.length ? el("details", {}, el("summary", {}, `${table.children.length} settings (train's configuration and the model's shape)`), table)
                                       : el("p", {class: "note"}, "Unknown: no settings were found in this folder."));
    }

    summary();
    charts();
    eventList();
    attention();
    samples();
    settings();
    """#
}
