/// JavaScript shared by both pages: element builders, the tooltip, colour scales, the attention
/// heatmap (axis titles, colour legend, hatched masked cells) and the colour strip of a vector.
/// Hand-written, no library: the pages must work from `file://` with no network.
enum CommonScript {
    static let source = #"""
    "use strict";
    const SVGNS = "http://www.w3.org/2000/svg";
    const DATA = JSON.parse(document.getElementById("page-data").textContent);

    function setAttrs(e, a) {
      for (const k in a || {}) {
        const v = a[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === "text") e.textContent = v;
        else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        else if (k === "dataset") Object.assign(e.dataset, v);
        else e.setAttribute(k, v === true ? "" : v);
      }
    }
    function add(e, kids) {
      for (const k of kids.flat(3)) {
        if (k === null || k === undefined || k === false) continue;
        e.append(typeof k === "object" ? k : String(k));
      }
      return e;
    }
    /** An HTML element: el("p", {class: "note"}, "text", child, …). */
    function el(tag, attrs, ...kids) { const e = document.createElement(tag); setAttrs(e, attrs); return add(e, kids); }
    /** An SVG element. */
    function sv(tag, attrs, ...kids) { const e = document.createElementNS(SVGNS, tag); setAttrs(e, attrs); return add(e, kids); }
    function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
    function byId(id) { return document.getElementById(id); }

    /** A piece as a reader sees it: the word-start marker ▁ dropped (kept when alone). */
    function tokenLabel(p) { return p.length > 1 && p[0] === "\u2581" ? p.slice(1) : p; }
    function quoted(p) { return "«" + tokenLabel(p) + "»"; }
    function cut(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }
    function pct(w, d = 1) { return (w * 100).toFixed(d) + "%"; }
    function fixed(x, d = 2) { return x === -Infinity ? "−∞" : x === Infinity ? "∞" : x.toFixed(d).replace("-", "−"); }
    function dot(a, b) { let z = 0; for (let i = 0; i < a.length; i++) z += a[i] * b[i]; return z; }
    function softmax(xs) {
      const m = Math.max(...xs.filter(x => x !== -Infinity));
      const e = xs.map(x => x === -Infinity ? 0 : Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map(x => x / z);
    }
    function stats(xs) {
      const n = xs.length, mean = xs.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / n);
      return {min: Math.min(...xs), max: Math.max(...xs), mean, sd};
    }

    // The tooltip: one element, moved to the pointer.
    const tip = el("div", {id: "tip"});
    document.body.append(tip);
    function showTip(ev, text) {
      tip.textContent = text;
      tip.style.display = "block";
      const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 6);
      const y = ev.clientY + 16 + tip.offsetHeight > window.innerHeight ? ev.clientY - tip.offsetHeight - 8 : ev.clientY + 16;
      tip.style.left = x + "px";
      tip.style.top = y + "px";
    }
    function hideTip() { tip.style.display = "none"; }

    /** Attention weight 0…1 → white…dark blue, linear (the legend shows the same scale). */
    function weightColor(w) {
      const t = Math.max(0, Math.min(1, w));
      return `rgb(${Math.round(255 - t * 247)},${Math.round(255 - t * 207)},${Math.round(255 - t * 148)})`;
    }
    /** A vector component: blue below zero, red above, white at zero; |x| ≥ max is full colour. */
    function signedColor(x, max) {
      const t = Math.max(-1, Math.min(1, max > 0 ? x / max : 0));
      const c = t >= 0 ? [178, 24, 43] : [33, 102, 172], a = Math.abs(t);
      return `rgb(${Math.round(255 - a * (255 - c[0]))},${Math.round(255 - a * (255 - c[1]))},${Math.round(255 - a * (255 - c[2]))})`;
    }
    let patternCount = 0;
    /** A <defs> with a diagonal hatch pattern; returns [defs, "url(#id)"]. */
    function hatch() {
      const id = "hatch" + (++patternCount);
      const defs = sv("defs", {}, sv("pattern", {id, patternUnits: "userSpaceOnUse", width: 6, height: 6, patternTransform: "rotate(45)"},
        sv("rect", {width: 6, height: 6, fill: "#eceff2"}), sv("line", {x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#8d969f", "stroke-width": 2.2})));
      return [defs, `url(#${id})`];
    }

    /** The colour scale of the maps, with the hatched swatch for masked cells. */
    function weightLegend(withMask) {
      const w = withMask ? 600 : 220, g = sv("svg", {width: w, height: 44, class: "legend", role: "img", "aria-label": "colour scale"});
      const id = "grad" + (++patternCount);
      const [defs, fill] = hatch();
      g.append(defs);
      defs.append(sv("linearGradient", {id}, [0, 0.25, 0.5, 0.75, 1].map(t => sv("stop", {offset: t, "stop-color": weightColor(t)}))));
      g.append(sv("text", {x: 0, y: 12, "font-size": 12}, "attention weight (after the softmax), linear:"));
      g.append(sv("rect", {x: 0, y: 17, width: 200, height: 12, fill: `url(#${id})`, stroke: "#999"}));
      [0, 0.5, 1].forEach(t => g.append(sv("text", {x: t * 200, y: 41, "font-size": 11, "text-anchor": t === 0 ? "start" : t === 1 ? "end" : "middle"}, pct(t, 0))));
      if (withMask) {
        g.append(sv("rect", {x: 250, y: 17, width: 22, height: 12, fill, stroke: "#999"}));
        g.append(sv("text", {x: 278, y: 27, "font-size": 12}, "masked: −∞ before the softmax, weight 0"));
        g.append(sv("text", {x: 250, y: 41, "font-size": 11, fill: "#5b6470"}, "(a white cell is an allowed key with a weight near 0)"));
      }
      return g;
    }

    /**
     * A heatmap of attention weights: rows are queries, columns keys. value(t, s) is a weight or
     * null for a masked cell (hatched). Returns {node, setRow(t)}; setRow outlines one row.
     */
    function heatmap({rows, cols, value, rowTitle, colTitle, onRow, rowNote, size = 560}) {
      const nR = rows.length, nC = cols.length;
      // Long sentences keep readable cells and scroll (the container has overflow: auto).
      const cell = Math.max(8, Math.min(30, Math.floor(size / Math.max(nC, nR, 1))));
      const lab = p => cut(tokenLabel(p), 14);
      const fs = Math.min(12, Math.max(7, cell - 2));
      const every = Math.max(1, Math.ceil(9 / cell));
      const rowW = 6 + 6.6 * Math.max(3, ...rows.map(r => lab(r).length)) * fs / 12;
      const colH = 8 + 5.2 * Math.max(3, ...cols.map(c => lab(c).length)) * fs / 12;
      // The axis titles are two lines above the map (long titles do not fit along a short axis).
      const left = 6 + rowW, top = 40 + colH;
      const W = Math.ceil(Math.max(left + nC * cell + 8, 24 + 8 * Math.max(rowTitle.length, colTitle.length))), H = Math.ceil(top + nR * cell + 8);
      const svg = sv("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "heatmap", role: "img"});
      const [defs, masked] = hatch();
      svg.append(defs);
      svg.append(sv("text", {x: 2, y: 13, "font-size": 12.5, "font-weight": 600, class: "axis-title"}, "↓ rows, " + rowTitle));
      svg.append(sv("text", {x: 2, y: 29, "font-size": 12.5, "font-weight": 600, class: "axis-title"}, "→ columns, " + colTitle));
      cols.forEach((c, s) => {
        if (s % every) return;
        svg.append(sv("text", {transform: `translate(${left + s * cell + cell / 2 + fs / 3},${top - 4}) rotate(-60)`, "font-size": fs}, lab(c)));
      });
      rows.forEach((r, t) => {
        if (t % every) return;
        svg.append(sv("text", {x: left - 4, y: top + t * cell + cell / 2 + fs / 3, "text-anchor": "end", "font-size": fs, class: "rowlabel"}, lab(r)));
      });
      const cells = sv("g", {});
      for (let t = 0; t < nR; t++) for (let s = 0; s < nC; s++) {
        const v = value(t, s);
        cells.append(sv("rect", {class: v === null ? "cell masked" : "cell", x: left + s * cell, y: top + t * cell, width: cell, height: cell,
                                 fill: v === null ? masked : weightColor(v), stroke: cell >= 10 ? "#e3e6ea" : "none", "stroke-width": 0.5}));
        if (v !== null && cell >= 24 && v >= 0.1)
          cells.append(sv("text", {x: left + s * cell + cell / 2, y: top + t * cell + cell / 2 + 4, "text-anchor": "middle", "font-size": 10,
                                   fill: v > 0.55 ? "white" : "#1b1f24", "pointer-events": "none"}, Math.round(v * 100)));
      }
      svg.append(cells);
      const outline = sv("rect", {x: left - 1, y: top, width: nC * cell + 2, height: cell, fill: "none", stroke: "#d95f02", "stroke-width": 2.5, visibility: "hidden"});
      svg.append(outline);
      const at = ev => {
        const box = svg.getBoundingClientRect(), k = W / box.width;
        const s = Math.floor(((ev.clientX - box.left) * k - left) / cell), t = Math.floor(((ev.clientY - box.top) * k - top) / cell);
        return t >= 0 && t < nR && s >= 0 && s < nC ? [t, s] : null;
      };
      svg.addEventListener("mousemove", ev => {
        const p = at(ev);
        if (!p) return hideTip();
        const [t, s] = p, v = value(t, s);
        showTip(ev, `row ${t} (query): ${quoted(rows[t])}\ncolumn ${s} (key and value): ${quoted(cols[s])}\n` +
                    (v === null ? "masked: this query may not look at this key" : `weight ${pct(v, 2)}`) + (rowNote ? "\n" + rowNote(t) : ""));
      });
      svg.addEventListener("mouseleave", hideTip);
      if (onRow) svg.addEventListener("click", ev => { const p = at(ev); if (p) onRow(p[0]); });
      return {node: svg, setRow(t) {
        outline.setAttribute("visibility", t === null || t === undefined ? "hidden" : "visible");
        if (t !== null && t !== undefined) outline.setAttribute("y", top + t * cell);
      }};
    }

    /** A vector as a strip of coloured cells (blue < 0 < red) with each number on hover. */
    function strip(values, max, what, width = 88) {
      const n = values.length, w = Math.max(1, width / n), h = 13;
      const svg = sv("svg", {width: Math.ceil(w * n), height: h, class: "strip"});
      values.forEach((x, i) => svg.append(sv("rect", {x: i * w, y: 0, width: w + 0.3, height: h, fill: signedColor(x, max)})));
      svg.append(sv("rect", {x: 0, y: 0, width: w * n, height: h, fill: "none", stroke: "#b8c0c8", "stroke-width": 0.6}));
      svg.addEventListener("mousemove", ev => {
        const box = svg.getBoundingClientRect(), i = Math.min(n - 1, Math.max(0, Math.floor((ev.clientX - box.left) / box.width * n)));
        showTip(ev, `${what}[${i}] = ${values[i].toPrecision(4)}`);
      });
      svg.addEventListener("mouseleave", hideTip);
      return svg;
    }
    function maxAbs(vectors) { let m = 0; for (const v of vectors) for (const x of v) m = Math.max(m, Math.abs(x)); return m || 1; }
    """#
}
