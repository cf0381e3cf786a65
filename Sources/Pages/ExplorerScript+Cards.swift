extension ExplorerScript {
    /// Part 2: the close-up of one query (q, every k, q·k/√d_k, the mask, the softmax, every
    /// w·v and their sum), the heads side by side and W_O, the next token, and the captions.
    /// The table rows carry their numbers in data- attributes, which the browser test reads.
    static let cards = #"""
    /** The close-up of one query in one head: everything between q and the head's output. */
    function renderCloseup() {
      const a = attn(), box = clear(byId("closeup")), s = sentence();
      if (!a || a.level === "none") { box.append(el("h2", {}, "One query, step by step")); return; }
      const t = queryRow(a), keys = kTokens(a), qt = qTokens(a)[t];
      if (S.head === "mean" || !hasHeads(a)) {
        box.append(el("h2", {}, `One query, every head: row ${t} (${quoted(qt)})`));
        box.append(el("p", {class: "note"}, hasHeads(a) ? "The map shows the mean of the heads. Each head makes its own weighting; pick a head (0–9 or the buttons) to see its q, k and v."
                                                        : "Only the mean of the heads was stored for this attention in this sentence."));
        const table = el("table", {class: "nums"});
        const heads = hasHeads(a) ? a.w.map((hw, h) => ["h" + h, hw[t]]) : [];
        table.append(el("tr", {}, el("th", {class: "l"}, "key"), heads.map(([n]) => el("th", {}, n)), el("th", {}, "mean")));
        const mean = meanRow(a, t);
        keys.forEach((k, j) => table.append(el("tr", {class: isVisible(a, t, j) ? "" : "masked"}, el("td", {class: "l"}, cut(tokenLabel(k), 16)),
          heads.map(([, row]) => el("td", {}, isVisible(a, t, j) ? pct(row[j]) : "masked")), el("td", {}, isVisible(a, t, j) ? pct(mean[j]) : "masked"))));
        box.append(table);
        return;
      }
      const h = S.head;
      box.append(el("h2", {}, `One query, step by step: head ${h}, row ${t} (${quoted(qt)})`));
      if (a.level !== "full") {
        box.append(el("p", {class: "warn"}, "The vectors of this attention were not stored for this sentence (it is long; see the note at the top). The weights are exact."));
        return;
      }
      const dk = M.headDim, q = a.q[h][t], K = a.k[h], V = a.v[h], w = a.w[h][t];
      const vmax = maxAbs([q, ...K, ...V]);
      box.append(el("p", {}, el("span", {class: "qlabel"}, "q"), ` = the query of ${quoted(qt)} in head ${h}: ${dk} numbers (a slice of x·W_Qᵀ + b_Q) `,
                    strip(q, vmax, "q"), el("span", {class: "note"}, " (blue < 0 < red; hover for the numbers)")));
      const scaled = K.map(k => dot(q, k) / Math.sqrt(dk));
      const masked = scaled.map((x, j) => isVisible(a, t, j) ? x : -Infinity);
      const wv = V.map((v, j) => v.map(x => x * w[j]));
      const out = q.map((_, c) => wv.reduce((z, r) => z + r[c], 0));
      const wvmax = maxAbs(wv);
      const top = w.indexOf(Math.max(...w));
      const table = el("table", {class: "nums closeup"});
      table.append(el("tr", {}, el("th", {class: "l"}, "key"), el("th", {class: "l"}, "k (key)"), el("th", {}, "q·k/√d_k"), el("th", {}, "+ mask"),
                      el("th", {}, "softmax w"), el("th", {class: "l"}, "v (value)"), el("th", {class: "l"}, "w·v"), el("th", {}, "‖w·v‖")));
      // Long sentences: keys under 0.5% (and masked keys) are summed in one row, so the rows
      // shown still add up to the output.
      const many = keys.length > 40;
      const shown = keys.map((_, j) => !many || (isVisible(a, t, j) && w[j] >= 0.005));
      keys.forEach((k, j) => {
        if (!shown[j]) return;
        const norm = Math.sqrt(dot(wv[j], wv[j]));
        table.append(el("tr", {class: "key" + (j === top ? " top" : "") + (isVisible(a, t, j) ? "" : " masked"),
                               dataset: {s: j, w: w[j], score: scaled[j], masked: isVisible(a, t, j) ? 0 : 1, wv: JSON.stringify(wv[j])}},
          el("td", {class: "l"}, cut(tokenLabel(k), 14)), el("td", {class: "l"}, strip(K[j], vmax, "k")),
          el("td", {}, fixed(scaled[j])), el("td", {}, isVisible(a, t, j) ? fixed(masked[j]) : "−∞"),
          el("td", {}, el("span", {class: "bar", style: `width:${Math.round(w[j] * 60)}px`}), pct(w[j])),
          el("td", {class: "l"}, strip(V[j], vmax, "v")), el("td", {class: "l"}, strip(wv[j], wvmax, "w·v")), el("td", {}, norm.toFixed(3))));
      });
      if (many) {
        const rest = keys.map((_, j) => j).filter(j => !shown[j]);
        const sum = q.map((_, c) => rest.reduce((z, j) => z + wv[j][c], 0));
        const wsum = rest.reduce((z, j) => z + w[j], 0);
        table.append(el("tr", {class: "key agg", dataset: {w: wsum, wv: JSON.stringify(sum), count: rest.length}},
          el("td", {class: "l", colspan: 4}, `${rest.length} other keys (under 0.5% or masked), summed`), el("td", {}, pct(wsum)), el("td", {}),
          el("td", {class: "l"}, strip(sum, wvmax, "Σ w·v of the others")), el("td", {}, Math.sqrt(dot(sum, sum)).toFixed(3))));
      }
      table.append(el("tr", {class: "sum", dataset: {out: JSON.stringify(out), wsum: w.reduce((x, y) => x + y, 0)}},
        el("td", {class: "l", colspan: 4}, "head output = Σ w·v over the keys"), el("td", {}, pct(w.reduce((x, y) => x + y, 0))),
        el("td", {}), el("td", {class: "l"}, strip(out, wvmax, "output")), el("td", {}, Math.sqrt(dot(out, out)).toFixed(3))));
      box.append(table);
      box.append(el("p", {class: "note"}, `The softmax turns the scores after the mask into weights that sum to 100%; the output is the values mixed by those weights: ` +
        `${pct(w[top])} of it comes from ${quoted(keys[top])}'s value. First numbers: [${out.slice(0, 6).map(x => fixed(x, 3)).join(", ")}${out.length > 6 ? ", …" : ""}]`));
      // Why √d_k, on this row's own numbers.
      const vis = K.map((k, j) => j).filter(j => isVisible(a, t, j));
      const raw = vis.map(j => dot(q, K[j])), st = stats(raw), sst = stats(raw.map(x => x / Math.sqrt(dk)));
      const why = el("p", {class: "why", id: "whyScale"}, el("b", {}, "Why divide by √d_k? "));
      if (vis.length < 2) {
        why.append(`Only one key is visible from this row (the mask hides the others), so it gets 100% whatever the scale. Step on to a later row to see the division at work.`);
      } else {
        const sorted = [...raw].sort((x, y) => y - x), gap = sorted[0] - sorted[1];
        const unscaledTop = Math.max(...softmax(raw)), scaledTop = Math.max(...softmax(raw.map(x => x / Math.sqrt(dk))));
        why.append(`A dot product of two ${dk}-number vectors sums ${dk} products, so its spread grows like √${dk} = ${Math.sqrt(dk).toFixed(2)}. ` +
          `Here the raw q·k over the ${vis.length} visible keys run from ${fixed(st.min, 1)} to ${fixed(st.max, 1)} (σ = ${fixed(st.sd, 2)}); divided by √${dk} they run from ${fixed(sst.min, 2)} to ${fixed(sst.max, 2)} (σ = ${fixed(sst.sd, 2)}). ` +
          `Undivided, the top key would lead the next by ${fixed(gap, 1)} instead of ${fixed(gap / Math.sqrt(dk), 2)} and get ${finePct(unscaledTop)} of the weight instead of ${finePct(scaledTop)}` +
          (unscaledTop > 0.999 && scaledTop < 0.999 ? ": nearly one-hot, so in training almost no gradient would reach the other keys." :
           scaledTop >= 0.999 ? ". This query is sure either way; the division matters for the rows that are not, where it keeps the softmax from saturating." : "."));
      }
      box.append(why);
    }

    /** A weight close to 0 or 1 with enough digits to tell it from 0% or 100%. */
    function finePct(w) {
      if (w > 0.9999 && w < 1) return "more than 99.99%";
      if (w > 0.99 && w < 1) return pct(w, 2);
      return pct(w);
    }

    /** The heads' outputs side by side (the concatenation), W_O, and the attention's output. */
    function renderMerge() {
      const a = attn(), box = clear(byId("merge"));
      box.append(el("h2", {}, "Several heads, then W_O"));
      if (!a || a.level !== "full") { box.append(el("p", {class: "note"}, "Needs the vectors, which were not stored for this attention in this sentence.")); return; }
      const t = queryRow(a), H = M.heads, dk = M.headDim;
      const heads = a.w.map((hw, h) => a.v[h][0].map((_, c) => a.v[h].reduce((z, v, j) => z + hw[t][j] * v[c], 0)));
      const concat = heads.flat();
      const mx = maxAbs([concat]);
      const picks = a.w.map((hw, h) => { const j = hw[t].indexOf(Math.max(...hw[t])); return `head ${h} → ${quoted(kTokens(a)[j])} ${pct(hw[t][j], 0)}`; });
      box.append(el("p", {}, `Each of the ${H} heads made its own weighting of the same keys at row ${t}: `, el("b", {}, picks.join(" · ")), "."));
      const cstrip = strip(concat, mx, "concatenation", Math.min(520, Math.max(260, concat.length * 3)));
      cstrip.dataset.concat = JSON.stringify(concat);
      const w = cstrip.getAttribute("width") / H;
      for (let h = 1; h < H; h++) cstrip.append(sv("line", {x1: h * w, x2: h * w, y1: 0, y2: 13, stroke: "#1b1f24", "stroke-width": 1.2}));
      if (S.head !== "mean") cstrip.append(sv("rect", {x: S.head * w, y: 0.5, width: w, height: 12, fill: "none", stroke: "#d95f02", "stroke-width": 2}));
      box.append(el("div", {class: "row"}, el("b", {}, "1. Side by side: "), `the ${H} head outputs (${H} × ${dk} = ${H * dk} numbers) `, cstrip));
      const fixedW = DATA.fixed && DATA.fixed[a.name];
      const wo = el("div", {class: "row"}, el("b", {}, "2. × W_O + b_O: "), `W_O is a ${M.dModel}×${M.dModel} parameter, learned in training and the same for every sentence and step; it mixes what the heads found.`);
      if (fixedW) wo.append(el("br"), woPicture(fixedW.wo), el("span", {class: "note"}, ` W_O of ${a.name} (columns = the ${H} heads' slices; blue < 0 < red)`));
      box.append(wo);
      const o = a.o[t];
      const ostrip = strip(o, maxAbs([o]), "output", Math.min(520, Math.max(260, o.length * 3)));
      ostrip.dataset.o = JSON.stringify(o);
      box.append(el("div", {class: "row"}, el("b", {}, "3. The attention's output "), `at row ${t} (${M.dModel} numbers), added to the `,
                    a.kind === "enc" ? "encoder's" : "decoder's", " vector for this position (the residual connection): ", ostrip));
      box.append(el("p", {class: "why"}, el("b", {}, "One head or several? "),
        `One head of width ${M.dModel} could make only one weighting per position. ${H} heads of ${dk} each cost the same arithmetic but make ${H} weightings at once, ` +
        `each from its own slice of W_Q, W_K and W_V — nothing else tells them apart; after training they look for different things, as above.`));
    }

    /** W_O as a small picture, decoded from its int8 copy. */
    function woPicture(wo) {
      const n = wo.n, c = el("canvas", {width: n, height: n, class: "wo", title: "W_O"});
      const bytes = Uint8Array.from(atob(wo.b64), ch => ch.charCodeAt(0));
      const ctx = c.getContext("2d"), img = ctx.createImageData(n, n);
      for (let i = 0; i < n * n; i++) {
        const v = bytes[i] > 127 ? bytes[i] - 256 : bytes[i];
        const rgb = signedColor(v / 127, 0.6).match(/\d+/g);
        img.data.set([+rgb[0], +rgb[1], +rgb[2], 255], i * 4);
      }
      ctx.putImageData(img, 0, 0);
      const size = Math.max(96, Math.min(128, 2 * n));
      c.style.width = size + "px";
      c.style.height = size + "px";
      return c;
    }

    /** The next-token probabilities at this step, with why the top one stays below 100%. */
    function renderNext() {
      const box = clear(byId("nextToken")), s = sentence(), st = s.steps[S.step];
      box.append(el("h2", {}, "The next token"));
      if (!st) return;
      box.append(el("p", {}, `After row ${S.step} (${quoted(s.dec[S.step])}) the decoder's last layer goes through the output projection and a softmax over all ${M.targetVocab} target tokens. The most probable:`));
      const list = el("ol", {class: "topk"});
      for (const [tok, p] of st.top)
        list.append(el("li", {class: "cand" + (tok === st.token ? " chosen" : ""), dataset: {token: tok, p}},
          el("span", {class: "bar", style: `width:${Math.max(1, Math.round(p * 220))}px`}), el("span", {class: "mono"}, tokenLabel(tok)), ` ${pct(p)}`,
          tok === st.token ? el("b", {}, "  ← chosen") : null));
      box.append(list);
      if (!st.top.some(([tok]) => tok === st.token))
        box.append(el("p", {class: "note"}, `Chosen: ${quoted(st.token)} at ${pct(st.p)} (beam search kept a less probable token here).`));
      const eps = M.labelSmoothing;
      if (eps) {
        const surest = Math.max(...s.steps.map(x => x.p));
        box.append(el("p", {class: "why"}, el("b", {}, `Why not 100%? `),
          `The model was trained with label smoothing ε = ${eps}: the training target gives the right token ${pct(1 - eps + eps / M.targetVocab)} (1 − ε + ε/V) and spreads ε over all ${M.targetVocab} tokens, ` +
          `so a sure prediction is taught to stop near ${pct(1 - eps, 0)}, never 100%. In this sentence the surest step gets ${pct(surest)}: ` +
          `a model is often surer than its training target when it translates, without dropout.`));
      }
    }

    /** What is fixed and what is computed for this sentence, with this model's sizes. */
    function renderFixed() {
      const box = clear(byId("fixed")), s = sentence(), a = attn();
      const D = M.dModel;
      box.append(el("h2", {}, "Fixed or computed?"));
      box.append(el("p", {}, el("b", {}, "Fixed, the same for every sentence and step: "),
        `W_Q, W_K, W_V and W_O of each of the ${M.encoderLayers + 2 * M.decoderLayers} attentions — ${D}×${D} numbers each, plus a bias — learned in training and stored in the checkpoint` +
        (M.step ? ` (step ${M.step}).` : ".") + ` Head h uses rows h·${M.headDim}…h·${M.headDim}+${M.headDim - 1} of W_Q, W_K and W_V.`));
      if (a) {
        const nq = qTokens(a).length, nk = kTokens(a).length;
        box.append(el("p", {}, el("b", {}, "Computed for this sentence: "),
          `Q (${nq} rows × ${D}), K and V (${nk} rows × ${D} each) of ${a.name}, from this sentence's vectors. Pick another sentence above: the W's stay, every q, k and v changes. ` +
          `Within one sentence a token's k and v do not change from step to step: only the query row moves.`));
      }
      box.append(el("p", {class: "note"}, `Numbers are those of one forward pass over the translation ${quoted(s.translation)} (the model's own output, fed back in): ` +
        `the mask makes row t see exactly what the decoder saw at step t. Layers, heads and positions count from 0, as in the parameter names. ` +
        `Stored to 4 significant digits (weights to 4 decimals).`));
    }

    S.head = sharpestHead();
    render();
    """#
}
