/*
 * Live figures of the LSTM (1997) course: three small figures that answer the reader's sliders on
 * the static web page, computed in the browser. Plain JavaScript: no libraries, no network, no
 * build step. Each figure mirrors a kernel-only panel of the Python package `lstm_core`:
 *
 * | data-figure | Python panel                                      | compute it mirrors                                  |
 * |-------------|---------------------------------------------------|-----------------------------------------------------|
 * | vanishing   | lstm_core.dashboards.vanishing.factor_power_explorer | gradients.product_chain(w, 1, t), plots.vanishing.gradient_regime |
 * | carousel    | lstm_core.dashboards.carousel.carousel_explorer   | carousel.carousel_signal(weight, steps, decay)      |
 * | cell        | lstm_core.dashboards.gates.cell_step_through      | cells.step_from_preactivations, carousel.cell_update_stages |
 *
 * Markup: <div class="lstm-live" data-figure="vanishing" data-weight="0.8" data-steps="10"></div>
 *   carousel: data-weight, data-steps, data-decay;  cell: data-net-in, data-net-c, data-net-out,
 *   data-s-prev, data-stage. Missing or unreadable settings fall back to the panel's defaults;
 *   settings outside a slider's range are clamped to it (a note under the figure says so).
 *   Whatever the div holds (e.g. a fallback sentence) is replaced by the figure.
 *
 * Paper notation (Hochreiter & Schmidhuber 1997) -> names used here and in lstm_core:
 *   y^in -> y_in,  g(net_c) -> g_c,  s_c(t-1) -> s_prev,  s_c(t) -> s,  h(s_c) -> h_s,
 *   y^out -> y_out,  y^c -> y_c;  f = logistic sigmoid, g = 4 f - 2 in [-2, 2], h = 2 f - 1 in [-1, 1].
 *
 * API (for tests and curious readers): window.LSTMLive = {
 *   vanishing: {compute(weight, steps), regime(factor, tolerance = 1e-9)},
 *   carousel:  {compute(weight, steps, decay = 1)},
 *   cell:      {compute(net_in, net_c, net_out, s_prev)},
 *   format:    {fixed(x, decimals), general(x, precision)}   // Python's "{:.Nf}" and "{:.Ng}"
 *   init(root = document), ready: true once the page's figures are built }.
 * The compute functions throw RangeError (naming the argument and what was expected) on bad input.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";

  // =============================================================================================
  // Python-compatible number formatting: "{:.Nf}" and "{:.Ng}" (ties round to even on the exact
  // binary value, as CPython does; JavaScript's toFixed/toExponential round ties away from zero).
  // =============================================================================================
  function special(x) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    return null;
  }

  function signOf(x) {
    return x < 0 || Object.is(x, -0) ? "-" : "";
  }

  /** |x| (>= 0) with `d` decimals, exact ties to even. */
  function fixedAbs(a, d) {
    if (a >= 1e21) { // toFixed switches to exponent notation there; such doubles are integers
      return BigInt(a).toString() + (d > 0 ? "." + "0".repeat(d) : "");
    }
    var s = a.toFixed(d);
    var long = a.toFixed(Math.min(100, d + 40));
    var point = long.indexOf(".");
    if (/^50*$/.test(long.slice(point + 1 + d))) { // an exact tie between two candidates
      var kept = long.slice(0, d > 0 ? point + 1 + d : point);
      if (Number(kept.charAt(kept.length - 1)) % 2 === 0) s = kept;
    }
    return s;
  }

  /** |x| (> 0) as mantissa "d.ddd" with `f` decimals and a decimal exponent, exact ties to even. */
  function exponentAbs(a, f) {
    var s = a.toExponential(f);
    var long = a.toExponential(Math.min(100, f + 40)).split("e");
    var digits = long[0].replace(".", "");
    if (/^50*$/.test(digits.slice(f + 1))) {
      var kept = digits.slice(0, f + 1);
      if (Number(kept.charAt(kept.length - 1)) % 2 === 0) {
        s = kept.charAt(0) + (f > 0 ? "." + kept.slice(1) : "") + "e" + long[1];
      }
    }
    var parts = s.split("e");
    return { mantissa: parts[0], exponent: Number(parts[1]) };
  }

  /** Python's format(x, ".{decimals}f"). */
  function fixed(x, decimals) {
    var sp = special(x);
    return sp !== null ? sp : signOf(x) + fixedAbs(Math.abs(x), decimals);
  }

  /** Python's format(x, ".{precision}g"). */
  function general(x, precision) {
    var sp = special(x);
    if (sp !== null) return sp;
    var p = precision === 0 ? 1 : precision;
    var a = Math.abs(x);
    if (a === 0) return signOf(x) + "0";
    var e = exponentAbs(a, p - 1);
    var body;
    if (e.exponent >= -4 && e.exponent < p) {
      body = fixedAbs(a, p - 1 - e.exponent);
      if (body.indexOf(".") >= 0) body = body.replace(/\.?0+$/, "");
    } else {
      var m = e.mantissa.indexOf(".") >= 0 ? e.mantissa.replace(/\.?0+$/, "") : e.mantissa;
      body = m + "e" + (e.exponent < 0 ? "-" : "+") + String(Math.abs(e.exponent)).padStart(2, "0");
    }
    return signOf(x) + body;
  }

  // =============================================================================================
  // Validation
  // =============================================================================================
  function requireFinite(where, name, value) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new RangeError(where + ": " + name + " must be a finite number; got " + String(value));
    }
  }

  function requireSteps(where, value) {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new RangeError(where + ": steps must be an integer >= 0; got " + String(value));
    }
  }

  // =============================================================================================
  // Compute 1: a per-step factor raised to a power (vanishing / exploding gradient)
  // =============================================================================================
  /** lstm_core.plots.vanishing.gradient_regime: shrink, keep or grow, by |factor| against 1. */
  function gradientRegime(factor, tolerance) {
    var tol = tolerance === undefined ? 1e-9 : tolerance;
    requireFinite("gradient_regime", "factor", factor);
    if (!(tol >= 0)) throw new RangeError("gradient_regime: tolerance must be >= 0; got " + String(tol));
    var size = Math.abs(factor);
    if (size < 1 - tol) return "vanishing";
    if (size > 1 + tol) return "exploding";
    return "stable";
  }

  /**
   * product_chain(weight, 1.0, steps): values[k] = weight^k for k = 0..steps, the factor an error
   * signal keeps after k steps back; plus the final value, the fraction lost (1 - final) and the regime.
   */
  function computeVanishing(weight, steps) {
    requireFinite("vanishing.compute", "weight", weight);
    if (weight < 0) throw new RangeError("vanishing.compute: weight must be >= 0; got " + String(weight));
    requireSteps("vanishing.compute", steps);
    var values = new Array(steps + 1);
    for (var k = 0; k <= steps; k++) values[k] = Math.pow(weight, k); // (w x 1)^k, as np.power does
    var final = values[steps];
    return {
      weight: weight,
      steps: steps,
      values: values,
      final: final,
      lost: 1 - final, // negative when the signal grew
      regime: gradientRegime(weight),
      underflow: weight > 0 && values.some(function (v) { return v === 0; }), // w^k > 0 exactly
      overflow: values.some(function (v) { return !Number.isFinite(v); }),
    };
  }

  // =============================================================================================
  // Compute 2: the carousel: multiply by W at every step (RNN) or carry (CEC)
  // =============================================================================================
  /**
   * lstm_core.carousel.carousel_signal(weight, steps, decay): from a signal of 1,
   *   RNN:  h(k) = h(k-1) W
   *   CEC:  s_c(k) = decay s_c(k-1) + y^in g(net_c), with the input gate closed (y^in = 0);
   *         decay = 1 is the 1997 carousel.
   * Same loop, same order of operations as the Python, so the floats agree bit for bit.
   */
  function computeCarousel(weight, steps, decay) {
    var d = decay === undefined ? 1.0 : decay;
    requireFinite("carousel.compute", "weight", weight);
    requireFinite("carousel.compute", "decay", d);
    requireSteps("carousel.compute", steps);
    var ks = new Array(steps + 1), rnn = new Array(steps + 1), lstm = new Array(steps + 1);
    var h = 1.0, s = 1.0;
    var yIn = 0.0, gC = 0.0; // the input gate is closed: nothing is written
    ks[0] = 0; rnn[0] = h; lstm[0] = s;
    for (var k = 1; k <= steps; k++) {
      h = h * weight; // RNN: h <- h W
      s = d * s + yIn * gC; // CEC: s_c(t) = s_c(t-1) + y^in(t) g(net_c(t)), decay = 1
      ks[k] = k; rnn[k] = h; lstm[k] = s;
    }
    function flags(factor, values) {
      return {
        underflow: factor !== 0 && values.some(function (v) { return v === 0; }),
        overflow: values.some(function (v) { return !Number.isFinite(v); }),
      };
    }
    var fr = flags(weight, rnn), fl = flags(d, lstm);
    return {
      steps: ks, rnn: rnn, lstm: lstm, weight: weight, decay: d, // the fields of CarouselSignal
      rnnFinal: rnn[steps],
      lstmFinal: lstm[steps],
      underflow: { rnn: fr.underflow, lstm: fl.underflow },
      overflow: { rnn: fr.overflow, lstm: fl.overflow },
    };
  }

  // =============================================================================================
  // Compute 3: one update of the 1997 memory cell, in five stages
  // =============================================================================================
  function f(x) { return 1 / (1 + Math.exp(-x)); } // f: logistic sigmoid, range (0, 1)
  function g(x) { return 4 * f(x) - 2; } // g: 4 sigma - 2, range (-2, 2)
  function h(x) { return 2 * f(x) - 1; } // h: 2 sigma - 1, range (-1, 1)

  var STAGE_TITLES = [
    "input gate: may we write?",
    "squash the cell input",
    "write onto the carousel (CEC)",
    "output gate: may we read?",
    "squash the state and read it out",
  ];

  /**
   * step_from_preactivations(net_in, net_c, net_out, s_prev) and cell_update_stages: the values of
   * one update (keys as lstm_core.carousel.CELL_VALUE_NAMES) and the five stages with formulas.
   */
  function computeCell(netIn, netC, netOut, sPrev) {
    var args = { net_in: netIn, net_c: netC, net_out: netOut, s_prev: sPrev };
    Object.keys(args).forEach(function (k) { requireFinite("cell.compute", k, args[k]); });
    var yIn = f(netIn); // y^in = f(net_in)
    var gC = g(netC); // g(net_c)
    var s = sPrev + yIn * gC; // s_c(t) = s_c(t-1) + y^in g(net_c): the CEC
    var yOut = f(netOut); // y^out = f(net_out)
    var hS = h(s); // h(s_c(t))
    var yC = yOut * hS; // y^c = y^out h(s_c)
    var F = function (v) { return fixed(v, 3); };
    var formulas = [
      "y^in = f(net_in) = f(" + F(netIn) + ") = " + F(yIn),
      "g(net_c) = 4σ(" + F(netC) + ") − 2 = " + F(gC),
      "s_c(t) = s_c(t-1) + y^in g(net_c) = " + F(sPrev) + " + " + F(yIn) + " × " + F(gC) + " = " + F(s),
      "y^out = f(net_out) = f(" + F(netOut) + ") = " + F(yOut),
      "y^c = y^out h(s_c) = " + F(yOut) + " × (2σ(" + F(s) + ") − 1) = " + F(yOut) + " × " + F(hS) +
        " = " + F(yC),
    ];
    var names = ["y_in", "g_c", "s", "y_out", "y_c"];
    var values = [yIn, gC, s, yOut, yC];
    var stages = names.map(function (name, i) {
      return { number: i + 1, title: STAGE_TITLES[i], formula: formulas[i], name: name, value: values[i] };
    });
    return {
      net_in: netIn, y_in: yIn, net_c: netC, g_c: gC, s_prev: sPrev, s: s,
      net_out: netOut, y_out: yOut, h_s: hS, y_c: yC, stages: stages,
    };
  }

  // =============================================================================================
  // DOM and SVG helpers
  // =============================================================================================
  var uid = 0;
  function nextId(prefix) { uid += 1; return "lstm-live-" + prefix + "-" + uid; }

  function html(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function svg(tag, attrs, parent) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (parent) parent.appendChild(node);
    return node;
  }

  /**
   * Text with sub- and superscripts: parts is a string or a list of strings and [text, "sub"|"sup"].
   * Works in HTML (sub/sup elements) and SVG (tspans shifted with dy).
   */
  function richText(parent, parts, inSvg) {
    var list = typeof parts === "string" ? [parts] : parts;
    var SMALL = 0.72; // size of sub- and superscripts relative to the text
    var offset = 0; // current baseline shift, in em of the normal text (down is positive)
    list.forEach(function (part) {
      if (typeof part === "string") {
        if (!inSvg) { parent.appendChild(document.createTextNode(part)); return; }
        var plain = svg("tspan", offset ? { dy: (-offset).toFixed(3) + "em" } : {}, parent);
        plain.textContent = part;
        offset = 0;
        return;
      }
      if (!inSvg) { html(part[1], {}, parent, part[0]); return; }
      var target = part[1] === "sub" ? 0.3 : -0.45;
      // dy of a small tspan is in its own em: convert the shift from the normal text's em
      var small = svg("tspan", { dy: ((target - offset) / SMALL).toFixed(3) + "em", "font-size": "72%" }, parent);
      small.textContent = part[0];
      offset = target;
    });
    return parent;
  }

  function plainText(parts) {
    var list = typeof parts === "string" ? [parts] : parts;
    return list.map(function (p) {
      return typeof p === "string" ? p : (p[1] === "sup" ? "^" : "_") + p[0];
    }).join("");
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /**
   * Shrink an SVG text's font size so that it is at most `room` user units wide (if drawn). The
   * style sheet's size depends on the window's width, so the text is fitted again on a resize.
   */
  function fitText(node, room) {
    node.setAttribute("data-fit-room", String(room));
    node.style.fontSize = "";
    var width = 0;
    try { width = node.getComputedTextLength(); } catch (e) { return; } // not laid out: leave it
    if (width > room) {
      var size = parseFloat(window.getComputedStyle(node).fontSize);
      if (size > 0) node.style.fontSize = (size * room / width).toFixed(2) + "px";
    }
  }

  var refit = null;
  window.addEventListener("resize", function () {
    if (refit) clearTimeout(refit);
    refit = setTimeout(function () {
      document.querySelectorAll(".lstm-live text[data-fit-room]").forEach(function (node) {
        fitText(node, Number(node.getAttribute("data-fit-room")));
      });
    }, 100);
  });

  /** Snap v to the slider's grid (min + n step) and clamp it to [min, max]. */
  function snap(v, spec) {
    var decimals = (String(spec.step).split(".")[1] || "").length;
    var n = Math.round((v - spec.min) / spec.step);
    var snapped = Number((spec.min + n * spec.step).toFixed(decimals));
    return Math.min(spec.max, Math.max(spec.min, snapped));
  }

  /**
   * The starting value of a slider from the host's data- attribute: the panel's default when the
   * attribute is missing or not a number, clamped and snapped otherwise. Notes go to `notes`.
   */
  function initialValue(host, attr, spec, notes) {
    var raw = host.getAttribute("data-" + attr);
    if (raw === null || raw.trim() === "") return spec.value;
    var v = Number(raw);
    if (!Number.isFinite(v)) {
      notes.push("data-" + attr + "=\"" + raw + "\" is not a number; using " + spec.format(spec.value) + ".");
      return spec.value;
    }
    var s = snap(v, spec);
    if (Math.abs(s - v) > 1e-9 * Math.max(1, Math.abs(v))) {
      notes.push("data-" + attr + "=" + raw + " is outside " + spec.format(spec.min) + ".." +
        spec.format(spec.max) + " or between slider steps; using " + spec.format(s) + ".");
    }
    return s;
  }

  /**
   * A labelled range slider with its value shown beside it. spec: {key, label (rich text),
   * min, max, step, value, format(v) -> string, describe(v) -> aria-valuetext (optional)}.
   * Returns {input, read()} where read() is the clamped, snapped number.
   */
  function slider(parent, spec, onChange) {
    var id = nextId(spec.key);
    var row = html("div", { class: "lstm-live-control" }, parent);
    var label = html("label", { for: id }, row);
    richText(label, spec.label, false);
    var input = html("input", {
      type: "range", id: id, min: String(spec.min), max: String(spec.max), step: String(spec.step),
      value: String(spec.value), "data-control": spec.key,
    }, row);
    var output = html("output", { for: id, "data-role": spec.key + "-value" }, row);
    function read() {
      var v = Number(input.value);
      return Number.isFinite(v) ? snap(v, spec) : spec.value;
    }
    function show() {
      var v = read();
      output.textContent = spec.format(v);
      input.setAttribute("aria-valuetext", spec.describe ? spec.describe(v) : spec.format(v));
    }
    input.value = String(spec.value);
    show();
    ["input", "change"].forEach(function (ev) {
      input.addEventListener(ev, function () { show(); onChange(); });
    });
    return { input: input, read: read };
  }

  /** A readout: <div><span>label</span> <span data-role=role data-value=number>text</span></div>. */
  function readout(list, role, label) {
    var row = html("div", { class: "lstm-live-readout" }, list);
    richText(html("span", { class: "lstm-live-key" }, row), label, false);
    row.appendChild(document.createTextNode(" "));
    return html("span", { "data-role": role }, row);
  }

  function setReadout(node, text, value, extraClass) {
    node.textContent = text;
    node.setAttribute("data-value", String(value)); // full precision; "Infinity"/"0" for the edge cases
    node.className = "lstm-live-val" + (extraClass ? " " + extraClass : "");
  }

  /** A value for display, or a sentence saying it left the range of float64. */
  function describeValue(x, formatted, underflow) {
    if (x === Infinity || x === -Infinity) {
      return (x < 0 ? "−" : "") + "overflow (beyond float64's largest number, about 1.8e+308)";
    }
    if (Number.isNaN(x)) return "not a number (the computation broke down)";
    if (x === 0 && underflow) return "0 (underflow: below float64's smallest number, about 4.9e-324)";
    return formatted;
  }

  function notesBlock(parent, notes) {
    var p = html("p", { class: "lstm-live-notes", "data-role": "notes" }, parent);
    p.textContent = notes.join(" ");
    p.hidden = notes.length === 0;
  }

  /** A figure's frame: a labelled group with a controls row, the chart and the readouts. */
  function frame(host, name) {
    clear(host);
    host.classList.add("lstm-live--ready");
    host.setAttribute("role", "group");
    host.setAttribute("aria-label", name);
    var controls = html("div", { class: "lstm-live-controls" }, host);
    var chart = html("div", { class: "lstm-live-chart" }, host);
    var readouts = html("div", { class: "lstm-live-readouts" }, host);
    return { controls: controls, chart: chart, readouts: readouts };
  }

  /** An accessible inline SVG: role img, <title> and <desc> as its alt text. */
  function chartSvg(parent, width, height, cls) {
    var titleId = nextId("title"), descId = nextId("desc");
    var root = svg("svg", {
      viewBox: "0 0 " + width + " " + height, role: "img", class: "lstm-live-svg " + (cls || ""),
      "aria-labelledby": titleId + " " + descId, preserveAspectRatio: "xMidYMid meet",
    }, parent);
    var title = svg("title", { id: titleId }, root);
    var desc = svg("desc", { id: descId }, root);
    var body = svg("g", { class: "lstm-live-body" }, root);
    return {
      root: root,
      /** Draw at width x height (viewBox units = CSS px at full size); narrow: the phone layout. */
      size: function (w, h, narrow) {
        root.setAttribute("viewBox", "0 0 " + w + " " + h);
        root.classList.toggle("is-narrow", !!narrow);
        root.style.minWidth = narrow ? "0" : ""; // drawn for the width it has: nothing to scroll
      },
      draw: function (titleText, descText) {
        title.textContent = titleText;
        desc.textContent = descText;
        clear(body);
        return body;
      },
    };
  }

  // On a narrow screen (a phone) each figure is drawn in a layout of its own at about the size it
  // is shown, rather than a wide layout shrunk until its text is unreadable, or cut off at the edge.
  var NARROW_PX = 520; // a figure whose box is narrower than this takes its narrow layout

  function isNarrow(box) {
    var w = box.clientWidth;
    return w > 0 && w < NARROW_PX;
  }

  /** Call redraw() whenever `box` crosses NARROW_PX (a window resized, a phone turned). */
  function redrawOnLayoutChange(box, redraw) {
    var was = isNarrow(box);
    window.addEventListener("resize", function () {
      var now = isNarrow(box);
      if (now !== was) { was = now; redraw(); }
    });
  }

  // =============================================================================================
  // A line chart with a logarithmic y axis
  // =============================================================================================
  function niceStep(span, maxTicks, choices) {
    for (var i = 0; i < choices.length; i++) if (span / choices[i] <= maxTicks) return choices[i];
    return choices[choices.length - 1];
  }

  /**
   * spec: {width, height, title (rich), titleClass, xLabel, yLabel (rich), xMax, xPad (in steps),
   *        yRange: [lo, hi] (positive) or null for whole decades around the data,
   *        series: [{y, cls, dashed, markers}], note}
   * y values that are not finite and > 0 leave a gap, as on a matplotlib log axis.
   */
  function logLineChart(body, spec) {
    var W = spec.width, H = spec.height;
    var m = spec.narrow ? { left: 62, right: 12, top: 40, bottom: 48 } : { left: 74, right: 18, top: 40, bottom: 50 };
    var pw = W - m.left - m.right, ph = H - m.top - m.bottom;
    svg("rect", { x: 0, y: 0, width: W, height: H, class: "lstm-chart-bg" }, body);

    var positives = [];
    spec.series.forEach(function (s) {
      s.y.forEach(function (v) { if (v > 0 && Number.isFinite(v)) positives.push(v); });
    });
    var lo, hi;
    if (spec.yRange) {
      lo = Math.log10(spec.yRange[0]); hi = Math.log10(spec.yRange[1]);
    } else {
      var dmin = positives.length ? Math.min.apply(null, positives) : 1;
      var dmax = positives.length ? Math.max.apply(null, positives) : 1;
      lo = Math.floor(Math.log10(dmin)); hi = Math.ceil(Math.log10(dmax));
      lo = Math.min(lo, 0); hi = Math.max(hi, 0); // keep the reference line at 1 in view
      if (hi - lo < 1) { lo -= 1; hi += 1; }
      var pad = 0.04 * (hi - lo);
      lo -= pad; hi += pad;
    }
    var x0 = -(spec.xPad || 0), x1 = spec.xMax + (spec.xPad || 0);
    if (x1 <= x0) x1 = x0 + 1;
    var X = function (k) { return m.left + (k - x0) / (x1 - x0) * pw; };
    var Y = function (v) { return m.top + (hi - Math.log10(v)) / (hi - lo) * ph; };

    // grid and ticks: decades on y, a 1-2-5 step on x
    var axes = svg("g", { class: "lstm-chart-axes" }, body);
    var firstDec = Math.ceil(lo - 1e-9), lastDec = Math.floor(hi + 1e-9);
    var decStep = niceStep(lastDec - firstDec, 7, [1, 2, 3, 5, 10, 20, 25, 50, 100, 200]);
    if (decStep === 1 && hi - lo <= 8) { // minor ticks at 2..9 x 10^d, as matplotlib draws them
      for (var md = Math.floor(lo); md < Math.ceil(hi); md++) {
        for (var mult = 2; mult <= 9; mult++) {
          var lv = md + Math.log10(mult);
          if (lv < lo || lv > hi) continue;
          var my = Y(Math.pow(10, lv));
          svg("line", { x1: m.left - 3, x2: m.left, y1: my, y2: my, class: "lstm-chart-tick is-minor" }, axes);
        }
      }
    }
    for (var dec = firstDec; dec <= lastDec; dec++) {
      if (((dec % decStep) + decStep) % decStep !== 0) continue;
      var yy = Y(Math.pow(10, dec));
      svg("line", { x1: m.left, x2: m.left + pw, y1: yy, y2: yy, class: "lstm-chart-grid" }, axes);
      svg("line", { x1: m.left - 5, x2: m.left, y1: yy, y2: yy, class: "lstm-chart-tick" }, axes);
      var lab = svg("text", { x: m.left - 8, y: yy + 4, "text-anchor": "end", class: "lstm-chart-ticklabel" }, axes);
      richText(lab, ["10", [String(dec).replace("-", "−"), "sup"]], true);
    }
    var xStep = niceStep(spec.xMax, spec.narrow ? 6 : 10, [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000]);
    for (var k = 0; k <= spec.xMax; k += xStep) {
      var xx = X(k);
      svg("line", { x1: xx, x2: xx, y1: m.top, y2: m.top + ph, class: "lstm-chart-grid" }, axes);
      svg("line", { x1: xx, x2: xx, y1: m.top + ph, y2: m.top + ph + 5, class: "lstm-chart-tick" }, axes);
      svg("text", { x: xx, y: m.top + ph + 19, "text-anchor": "middle", class: "lstm-chart-ticklabel" },
        axes).textContent = String(k);
    }
    svg("rect", { x: m.left, y: m.top, width: pw, height: ph, class: "lstm-chart-frame" }, axes);
    if (lo < 0 && hi > 0) { // the reference line: a signal of 1, neither lost nor grown
      svg("line", { x1: m.left, x2: m.left + pw, y1: Y(1), y2: Y(1), class: "lstm-chart-ref" }, axes);
    }

    // the curves
    spec.series.forEach(function (s) {
      var d = "", open = false;
      s.y.forEach(function (v, i) {
        if (!(v > 0 && Number.isFinite(v))) { open = false; return; }
        d += (open ? "L" : "M") + X(i).toFixed(2) + " " + Y(v).toFixed(2);
        open = true;
      });
      if (d) {
        svg("path", { d: d, class: "lstm-chart-line " + s.cls + (s.dashed ? " is-dashed" : ""),
          "data-series": s.name, "data-points": String(s.y.length) }, body);
      }
      if (s.markers) {
        var dots = svg("g", { class: "lstm-chart-markers " + s.cls, "data-series": s.name }, body);
        s.y.forEach(function (v, i) {
          if (v > 0 && Number.isFinite(v)) svg("circle", { cx: X(i).toFixed(2), cy: Y(v).toFixed(2), r: 2.6 }, dots);
        });
      }
    });

    // labels
    var title = svg("text", { x: m.left + pw / 2, y: 24, "text-anchor": "middle",
      class: "lstm-chart-title " + (spec.titleClass || "") }, body);
    richText(title, spec.title, true);
    // a long title (an overflow's sentence, a phone's larger type) stays inside: it is centred on the plot
    fitText(title, 2 * Math.min(m.left + pw / 2, W - m.left - pw / 2) - 8);
    svg("text", { x: m.left + pw / 2, y: H - 10, "text-anchor": "middle", class: "lstm-chart-label" },
      body).textContent = spec.xLabel;
    var yl = svg("text", { x: 0, y: 0, "text-anchor": "middle", class: "lstm-chart-label",
      transform: "translate(16 " + (m.top + ph / 2) + ") rotate(-90)" }, body);
    richText(yl, spec.yLabel, true);
    if (spec.note) {
      svg("text", { x: m.left + pw - 6, y: m.top + ph - 8, "text-anchor": "end", class: "lstm-chart-note",
        "data-role": "chart-note" }, body).textContent = spec.note;
    }
  }

  // =============================================================================================
  // Figure 1: the vanishing gradient (factor_power_explorer)
  // =============================================================================================
  function buildVanishing(host) {
    var notes = [];
    var specs = {
      weight: { key: "weight", label: "weight W", min: 0.5, max: 1.5, step: 0.01, value: 0.8,
        format: function (v) { return fixed(v, 2); } },
      steps: { key: "steps", label: "timesteps t", min: 1, max: 100, step: 1, value: 10,
        format: function (v) { return String(v); } },
    };
    specs.weight.value = initialValue(host, "weight", specs.weight, notes);
    specs.steps.value = initialValue(host, "steps", specs.steps, notes);
    var parts = frame(host, "Live figure: a per-step factor W raised to the power t");
    var chart = chartSvg(parts.chart, 580, 340);
    var finalNode = readout(parts.readouts, "final-value", ["W", ["t", "sup"], " after t steps"]);
    var lostNode = readout(parts.readouts, "lost", "fraction of the signal lost");
    var regimeNode = readout(parts.readouts, "regime", "regime");
    var summary = html("p", { class: "lstm-live-summary", "data-role": "summary", "aria-live": "polite" }, host);
    notesBlock(host, notes);
    var w = slider(parts.controls, specs.weight, update);
    var t = slider(parts.controls, specs.steps, update);

    function update() {
      var weight = w.read(), steps = t.read();
      var r = computeVanishing(weight, steps);
      var finalText = describeValue(r.final, general(r.final, 4), r.underflow);
      setReadout(finalNode, finalText, r.final);
      var lostText;
      if (r.overflow || r.final > 1) lostText = "none: the signal grew " + (r.overflow ? "beyond float64" :
        general(r.final, 4) + "-fold");
      else if (r.final === 1) lostText = "none: the signal is kept";
      else lostText = general(100 * r.lost, 4) + "%";
      setReadout(lostNode, lostText, r.lost);
      setReadout(regimeNode, r.regime, r.regime, "lstm-regime-" + r.regime);
      // the Python panel's printed line
      summary.textContent = fixed(weight, 2) + "^" + steps + " = " + (r.overflow || r.underflow ? finalText :
        general(r.final, 4)) + ": " + r.regime + " (the signal is multiplied by " + fixed(weight, 2) +
        " at every step)";
      var trend = r.regime === "vanishing" ? "falls" : r.regime === "exploding" ? "rises" : "stays";
      var narrow = isNarrow(parts.chart), W = narrow ? 340 : 580, H = narrow ? 300 : 340;
      chart.size(W, H, narrow);
      var body = chart.draw(
        "Line chart, log scale: " + fixed(weight, 2) + " to the power k, for k = 0 to " + steps,
        "The signal left after k steps when it is multiplied by " + fixed(weight, 2) + " at every step. " +
        "It " + trend + " from 1 to " + finalText + " after " + steps + " steps: " + r.regime + ".");
      logLineChart(body, {
        width: W, height: H, narrow: narrow,
        title: [fixed(weight, 2), [String(steps), "sup"], " = " + (r.overflow || r.underflow ? finalText :
          general(r.final, 4)) + ": " + r.regime],
        titleClass: "lstm-regime-" + r.regime,
        xLabel: "timesteps t", yLabel: ["factor", ["t", "sup"], " (log scale)"],
        xMax: steps, xPad: Math.max(0.3, steps * 0.02),
        series: [{ name: "power", y: r.values, cls: "lstm-regime-" + r.regime, markers: true }],
      });
    }
    update();
    redrawOnLayoutChange(parts.chart, update);
  }

  // =============================================================================================
  // Figure 2: the carousel (carousel_explorer)
  // =============================================================================================
  var CAROUSEL_FLOOR = 1e-12; // plot_carousel's floor: smaller magnitudes are drawn on it

  function carouselLabels(r) {
    var n = r.steps.length - 1;
    var rnnAfter = describeShort(Math.abs(r.rnnFinal), r.underflow.rnn);
    var lstmAfter = describeShort(Math.abs(r.lstmFinal), r.underflow.lstm);
    var cec = r.decay === 1.0 ? "s ← s + 0 (CEC, input gate closed)" : "s ← " + general(r.decay, 6) + "·s + 0 (state decay)";
    return {
      rnn: "RNN: h ← h × W, W = " + general(r.weight, 6) + "   (after " + n + " steps: " + rnnAfter + ")",
      lstm: "LSTM: " + cec + "   (after " + n + " steps: " + lstmAfter + ")",
    };
  }

  function describeShort(x, underflow) {
    if (!Number.isFinite(x)) return "overflow";
    if (x === 0 && underflow) return "0, underflow";
    return general(x, 3);
  }

  function buildCarousel(host) {
    var notes = [];
    var specs = {
      weight: { key: "weight", label: "RNN weight W", min: 0, max: 1.5, step: 0.01, value: 0.9,
        format: function (v) { return fixed(v, 2); } },
      steps: { key: "steps", label: "steps", min: 1, max: 500, step: 1, value: 100,
        format: function (v) { return String(v); } },
      decay: { key: "decay", label: "CEC factor", min: 0.5, max: 1.0, step: 0.01,
        value: 1.0, format: function (v) { return fixed(v, 2); },
        describe: function (v) {
          return fixed(v, 2) + " on s_c(t-1)" + (v === 1 ? ", the 1997 carousel" : ", state decay");
        } },
    };
    ["weight", "steps", "decay"].forEach(function (k) { specs[k].value = initialValue(host, k, specs[k], notes); });
    var parts = frame(host, "Live figure: the constant error carousel against an RNN's repeated weight");
    var chart = chartSvg(parts.chart, 580, 360);
    var legend = html("ul", { class: "lstm-live-legend" }, parts.chart);
    var rnnLabel = html("li", { class: "lstm-regime-exploding", "data-role": "rnn-label" }, legend);
    var lstmLabel = html("li", { class: "lstm-regime-vanishing", "data-role": "lstm-label" }, legend);
    var rnnNode = readout(parts.readouts, "rnn-final", ["RNN signal after the last step, W", ["k", "sup"]]);
    var lstmNode = readout(parts.readouts, "lstm-final", ["carousel s", ["c", "sub"], " after the last step"]);
    var floorNote = html("p", { class: "lstm-live-summary", "data-role": "floor-note" }, host);
    notesBlock(host, notes);
    var w = slider(parts.controls, specs.weight, update);
    var k = slider(parts.controls, specs.steps, update);
    var d = slider(parts.controls, specs.decay, update);

    function update() {
      var r = computeCarousel(w.read(), k.read(), d.read());
      var n = r.steps.length - 1;
      var labels = carouselLabels(r);
      rnnLabel.textContent = labels.rnn;
      lstmLabel.textContent = labels.lstm;
      lstmLabel.className = "lstm-regime-vanishing" + (r.decay === 1.0 ? " is-dashed" : "");
      setReadout(rnnNode, describeValue(r.rnnFinal, general(r.rnnFinal, 3), r.underflow.rnn), r.rnnFinal);
      setReadout(lstmNode, describeValue(r.lstmFinal, general(r.lstmFinal, 3), r.underflow.lstm), r.lstmFinal);
      // magnitudes on the log axis, clipped at the floor (plot_carousel's `shown`)
      var shown = function (v) { return Number.isNaN(v) ? v : Math.max(Math.abs(v), CAROUSEL_FLOOR); };
      var rnnShown = r.rnn.map(shown), lstmShown = r.lstm.map(shown);
      var both = rnnShown.concat(lstmShown).filter(function (v) { return Number.isFinite(v); });
      var top = Math.max(10, Math.max.apply(null, both) * 3);
      var bottom = Math.max(CAROUSEL_FLOOR / 3, Math.min.apply(null, both) / 10);
      var belowFloor = r.rnn.concat(r.lstm).some(function (v) { return Math.abs(v) < CAROUSEL_FLOOR; });
      var note = belowFloor ? "values below " + general(CAROUSEL_FLOOR, 6) + " are drawn at " +
        general(CAROUSEL_FLOOR, 6) : "";
      floorNote.textContent = note;
      floorNote.hidden = !note;
      var narrow = isNarrow(parts.chart), W = narrow ? 340 : 580, H = narrow ? 320 : 360;
      chart.size(W, H, narrow);
      var body = chart.draw(
        "Line chart, log scale: a signal multiplied by W = " + general(r.weight, 6) +
          " at every step (RNN) and carried by the carousel, over " + n + " steps",
        "After " + n + " steps the RNN's signal is " + describeValue(r.rnnFinal, general(r.rnnFinal, 3),
          r.underflow.rnn) + " and the carousel's is " + describeValue(r.lstmFinal, general(r.lstmFinal, 3),
          r.underflow.lstm) + (r.decay === 1 ? " (factor 1.0 on the previous state)." : " (factor " +
          general(r.decay, 6) + " on the previous state).") + (note ? " Note: " + note + "." : ""));
      logLineChart(body, {
        width: W, height: H, narrow: narrow,
        title: narrow ? "Multiply, or carry unchanged" : "The carousel: multiply at every step, or carry unchanged",
        xLabel: "steps k", yLabel: narrow ? "|value after k steps| (log)" : "signal strength |value after k steps| (log)",
        xMax: n, xPad: 0, yRange: [bottom, top],
        series: [
          { name: "rnn", y: rnnShown, cls: "lstm-regime-exploding" },
          { name: "lstm", y: lstmShown, cls: "lstm-regime-vanishing", dashed: r.decay === 1.0 },
        ],
      });
    }
    update();
    redrawOnLayoutChange(parts.chart, update);
  }

  // =============================================================================================
  // Figure 3: one update of the 1997 memory cell (cell_step_through), on the paper's Fig. 1
  // =============================================================================================
  // stage -> the diagram elements it computes (lstm_core.plots.cell_diagram.STAGE_ELEMENTS)
  var STAGE_ELEMENTS = {
    1: ["in_gate", "y_in"], 2: ["g", "g_c"], 3: ["x_in", "plus", "loop", "s"],
    4: ["out_gate", "y_out"], 5: ["h", "x_out", "h_s", "y_c"],
  };
  var OUTPUT_STAGE = { y_in: 1, g_c: 2, s: 3, y_out: 4, h_s: 5, y_c: 5 }; // shown as "?" before it

  var CELL_WIDE = { width: 14, height: 8.3, top: 7.8 };    // diagram units (x 60 px)
  var CELL_NARROW = { width: 6.2, height: 13.9, top: 13.3 }; // the same cell, drawn top to bottom

  function drawCellDiagram(body, v, stage, caption, narrow) {
    var size = narrow ? CELL_NARROW : CELL_WIDE;
    var U = 60, TOP = size.top; // diagram units -> px; y grows upwards in the diagram
    var X = function (x) { return x * U; }, Y = function (y) { return (TOP - y) * U; };
    svg("rect", { x: 0, y: 0, width: size.width * U, height: size.height * U, class: "lstm-chart-bg" }, body);
    var current = STAGE_ELEMENTS[stage] || [];
    var done = [];
    for (var s = 1; s < stage; s++) done = done.concat(STAGE_ELEMENTS[s]);
    function state(key) {
      if (current.indexOf(key) >= 0) return "is-current";
      if (done.indexOf(key) >= 0) return "is-done";
      return "is-future";
    }
    function label(x, y, parts, cls, anchor) {
      var t = svg("text", { x: X(x), y: Y(y) + 5, "text-anchor": anchor || "middle", class: cls }, body);
      richText(t, parts, true);
      return t;
    }
    function arrow(a, b, key) {
      var cls = key ? state(key) : "is-done";
      var g0 = svg("g", { class: "lstm-d-arrow " + cls }, body);
      var ax = X(a[0]), ay = Y(a[1]), bx = X(b[0]), by = Y(b[1]);
      var len = Math.hypot(bx - ax, by - ay), ux = (bx - ax) / len, uy = (by - ay) / len, L = 11, Wd = 4.5;
      svg("line", { x1: ax, y1: ay, x2: bx - ux * L * 0.8, y2: by - uy * L * 0.8, class: "lstm-d-line" }, g0);
      svg("polygon", { points: [bx, by, bx - ux * L - uy * Wd, by - uy * L + ux * Wd,
        bx - ux * L + uy * Wd, by - uy * L - ux * Wd].map(function (q) { return q.toFixed(1); }).join(" "),
        class: "lstm-d-head" }, g0);
    }
    function box(key, xy, name, sub, kind) {
      var cls = state(key), w = 1.5, hh = 1.0;
      svg("rect", { x: X(xy[0] - w / 2), y: Y(xy[1] + hh / 2), width: w * U, height: hh * U, rx: 6,
        class: "lstm-d-shape kind-" + kind + " " + cls, "data-element": key }, body);
      label(xy[0], xy[1] + 0.13, name, "lstm-d-text lstm-d-big " + cls);
      label(xy[0], xy[1] - 0.27, sub, "lstm-d-text lstm-d-small " + cls);
    }
    function node(key, xy, sym, r, kind) {
      var cls = state(key);
      svg("circle", { cx: X(xy[0]), cy: Y(xy[1]), r: (r || 0.36) * U, class: "lstm-d-shape kind-" +
        (kind || "op") + " " + cls, "data-element": key }, body);
      label(xy[0], xy[1] - 0.02, sym, "lstm-d-text lstm-d-sym " + cls);
    }
    function number(key, xy, name, value, anchor) {
      var produced = OUTPUT_STAGE[key];
      var hidden = produced !== undefined && produced > stage;
      var cls = current.indexOf(key) >= 0 ? "is-current" : hidden ? "is-hidden" : "";
      var shown = hidden ? "?" : fixed(value, 3);
      // as in draw_cell_diagram: "name = value", the net_c label is the bare value
      var parts = name === null ? [shown] : (typeof name === "string" ? [name] : name.slice()).concat(["= " + shown]);
      label(xy[0], xy[1], parts, "lstm-d-value " + cls, anchor).setAttribute("data-value-of", key);
    }

    if (narrow) {
      // the main line runs down the left: net_c -> g -> x -> + -> h -> x -> y^c; the gates sit right
      var c = 1.6, gx = 4.6;
      label(3.1, 12.85, "The 1997 memory cell: one update", "lstm-chart-title");
      label(c, 12.05, ["net", ["c", "sub"]], "lstm-d-text lstm-d-name");
      number("net_c", [c, 11.6], null, v.net_c);
      arrow([c, 11.3], [c, 10.8], "g");
      box("g", [c, 10.3], "g", "squash to [−2, 2]", "squash");
      number("g_c", [c + 0.15, 9.35], "g ", v.g_c, "start");
      arrow([c, 9.8], [c, 8.76], "x_in");
      node("x_in", [c, 8.4], "×");
      label(gx, 12.05, ["net", ["in", "sub"]], "lstm-d-text lstm-d-name");
      number("net_in", [gx, 11.6], "", v.net_in);
      arrow([gx, 11.3], [gx, 10.8], "in_gate");
      box("in_gate", [gx, 10.3], "f", "input gate: write", "gate");
      svg("polyline", { points: [X(gx), Y(9.8), X(gx), Y(8.4)].join(" "), class: "lstm-d-line " + state("y_in") },
        body);
      arrow([gx, 8.4], [c + 0.36, 8.4], "y_in");
      number("y_in", [c + 0.55, 8.75], ["y", ["in", "sup"], " "], v.y_in, "start");
      arrow([c, 8.04], [c, 6.9], "plus");
      node("plus", [c, 6.5], "+", 0.4, "cec");
      number("s", [c + 0.6, 6.8], ["s", ["c", "sub"], "(t) "], v.s, "start");
      var loopState = state("loop");
      svg("polyline", { points: [X(c), Y(5.7), X(0.45), Y(5.7), X(0.45), Y(6.5)].join(" "),
        class: "lstm-d-line lstm-d-loop " + loopState }, body);
      arrow([0.45, 6.5], [c - 0.4, 6.5], "loop");
      label(0.55, 7.0, "×1.0", "lstm-d-text " + loopState);
      label(c + 0.6, 6.3, "constant error carousel (CEC)", "lstm-d-text lstm-d-small " + loopState, "start");
      number("s_prev", [c + 0.6, 5.8], ["s", ["c", "sub"], "(t−1) "], v.s_prev, "start");
      arrow([c, 6.1], [c, 5.05], "h");
      box("h", [c, 4.55], "h", "squash to [−1, 1]", "squash");
      number("h_s", [c + 0.15, 3.6], "h ", v.h_s, "start");
      arrow([c, 4.05], [c, 3.06], "x_out");
      node("x_out", [c, 2.7], "×");
      label(gx, 5.35, ["net", ["out", "sub"]], "lstm-d-text lstm-d-name");
      number("net_out", [gx, 4.9], "", v.net_out);
      arrow([gx, 4.6], [gx, 4.2], "out_gate");
      box("out_gate", [gx, 3.7], "f", "output gate: read", "gate");
      svg("polyline", { points: [X(gx), Y(3.2), X(gx), Y(2.7)].join(" "), class: "lstm-d-line " + state("y_out") },
        body);
      arrow([gx, 2.7], [c + 0.36, 2.7], "y_out");
      number("y_out", [c + 0.55, 3.05], ["y", ["out", "sup"], " "], v.y_out, "start");
      arrow([c, 2.34], [c, 1.55], "y_c");
      label(c, 1.2, ["y", ["c", "sup"]], "lstm-d-text lstm-d-name " + state("y_c"));
      number("y_c", [c + 0.5, 1.2], "", v.y_c, "start");
      // the caption in lines that fit: the stage, then its formula broken before each "="
      var cut = caption.lastIndexOf(": "), lines = [caption.slice(0, cut + 1)], formula = caption.slice(cut + 2);
      formula.split(" = ").forEach(function (part, i) {
        var piece = (i ? "= " : "") + part;
        if (i && lines.length > 1 && (lines[lines.length - 1] + " " + piece).length <= 38) {
          lines[lines.length - 1] += " " + piece;
        } else {
          lines.push(piece);
        }
      });
      var cap = svg("text", { x: X(0.1), y: Y(0.55), "text-anchor": "start", class: "lstm-d-caption",
        "data-role": "caption" }, body);
      lines.forEach(function (line, i) {
        svg("tspan", { x: X(0.1), dy: i ? "1.25em" : 0 }, cap).textContent = (i ? " " : "") + line;
      });
      return;
    }

    var y0 = 3.0; // the main line: net_c -> g -> x -> + -> h -> x -> y^c
    svg("rect", { x: X(1.25), y: Y(4.0), width: 11.2 * U, height: 3.55 * U, rx: 10, class: "lstm-d-frame" }, body);
    label(1.5, 3.72, ["memory cell c", ["j", "sub"]], "lstm-d-text lstm-d-muted lstm-d-small", "start");
    label(0.55, y0, ["net", ["c", "sub"]], "lstm-d-text lstm-d-name");
    arrow([0.95, y0], [1.65, y0], "g");
    box("g", [2.4, y0], "g", "squash to [−2, 2]", "squash");
    arrow([3.15, y0], [4.24, y0], "x_in");
    node("x_in", [4.6, y0], "×");
    arrow([4.96, y0], [6.6, y0], "plus");
    node("plus", [7.0, y0], "+", 0.4, "cec");
    arrow([7.4, y0], [8.65, y0], "h");
    box("h", [9.4, y0], "h", "squash to [−1, 1]", "squash");
    arrow([10.15, y0], [11.24, y0], "x_out");
    node("x_out", [11.6, y0], "×");
    arrow([11.96, y0], [12.85, y0], "y_c");
    label(13.3, y0, ["y", ["c", "sup"]], "lstm-d-text lstm-d-name " + state("y_c"));

    // the CEC: a self-loop of fixed weight 1.0 around the + node
    var loop = state("loop");
    svg("polyline", { points: [X(7.9), Y(y0), X(7.9), Y(1.35), X(7.0), Y(1.35)].join(" "),
      class: "lstm-d-line lstm-d-loop " + loop }, body);
    arrow([7.0, 1.35], [7.0, y0 - 0.4], "loop");
    label(8.05, 1.95, "×1.0", "lstm-d-text " + loop, "start");
    label(6.85, 0.95, "constant error carousel (CEC)", "lstm-d-text lstm-d-small " + loop);

    // the gates: f squashes net_in / net_out into [0, 1]
    box("in_gate", [4.6, 5.35], "f", "input gate: write", "gate");
    label(4.6, 6.75, ["net", ["in", "sub"]], "lstm-d-text lstm-d-name");
    arrow([4.6, 6.5], [4.6, 5.9], "in_gate");
    arrow([4.6, 4.8], [4.6, y0 + 0.36], "y_in");
    box("out_gate", [11.6, 5.35], "f", "output gate: read", "gate");
    label(11.6, 6.75, ["net", ["out", "sub"]], "lstm-d-text lstm-d-name");
    arrow([11.6, 6.5], [11.6, 5.9], "out_gate");
    arrow([11.6, 4.8], [11.6, y0 + 0.36], "y_out");

    number("net_in", [5.05, 6.75], "", v.net_in, "start");
    number("net_out", [12.05, 6.75], "", v.net_out, "start");
    number("net_c", [0.55, 2.45], null, v.net_c);
    number("y_in", [4.75, 4.3], ["y", ["in", "sup"], " "], v.y_in, "start");
    number("y_out", [11.75, 4.3], ["y", ["out", "sup"], " "], v.y_out, "start");
    number("g_c", [2.4, 2.1], "g ", v.g_c);
    number("s", [7.0, 3.65], ["s", ["c", "sub"], "(t) "], v.s);
    number("s_prev", [5.6, 1.75], ["s", ["c", "sub"], "(t−1) "], v.s_prev);
    number("h_s", [9.4, 2.1], "h ", v.h_s);
    number("y_c", [13.3, 2.4], "", v.y_c);
    label(7.0, -0.05, caption, "lstm-d-caption", "middle").setAttribute("data-role", "caption");
    label(7.0, 7.45, "The 1997 memory cell: one update", "lstm-chart-title");
  }

  var CELL_READOUTS = [ // [data-role, key in compute(), label, stage that produces it]
    ["y_in", "y_in", ["y", ["in", "sup"]], 1],
    ["g_c", "g_c", ["g(net", ["c", "sub"], ")"], 2],
    ["s_c", "s", ["s", ["c", "sub"], "(t)"], 3],
    ["y_out", "y_out", ["y", ["out", "sup"]], 4],
    ["h_s", "h_s", ["h(s", ["c", "sub"], "(t))"], 5],
    ["y_c", "y_c", ["y", ["c", "sup"]], 5],
  ];

  function buildCell(host) {
    var notes = [];
    var F1 = function (v) { return fixed(v, 1); };
    var specs = {
      stage: { key: "stage", label: "step", min: 1, max: 5, step: 1, value: 1,
        format: function (v) { return v + "/5"; },
        describe: function (v) { return "step " + v + " of 5: " + STAGE_TITLES[v - 1]; } },
      net_in: { key: "net_in", label: ["net", ["in", "sub"]], min: -8, max: 8, step: 0.1, value: -2.1, format: F1 },
      net_c: { key: "net_c", label: ["net", ["c", "sub"]], min: -5, max: 5, step: 0.1, value: 1.5, format: F1 },
      net_out: { key: "net_out", label: ["net", ["out", "sub"]], min: -8, max: 8, step: 0.1, value: 0.5, format: F1 },
      s_prev: { key: "s_prev", label: ["s", ["c", "sub"], "(t−1)"], min: -4, max: 4, step: 0.1, value: 1.5, format: F1 },
    };
    var attrs = { stage: "stage", net_in: "net-in", net_c: "net-c", net_out: "net-out", s_prev: "s-prev" };
    Object.keys(specs).forEach(function (k) { specs[k].value = initialValue(host, attrs[k], specs[k], notes); });
    var parts = frame(host, "Live figure: one update of the 1997 memory cell, stage by stage");
    var chart = chartSvg(parts.chart, 840, 498, "lstm-diagram");
    var nodes = CELL_READOUTS.map(function (row) { return readout(parts.readouts, row[0], row[2]); });
    var list = html("ol", { class: "lstm-live-stages", "data-role": "stage-list" }, host);
    notesBlock(host, notes);
    var controls = {};
    Object.keys(specs).forEach(function (k) { controls[k] = slider(parts.controls, specs[k], update); });

    function update() {
      var stage = controls.stage.read();
      var v = computeCell(controls.net_in.read(), controls.net_c.read(), controls.net_out.read(),
        controls.s_prev.read());
      var now = v.stages[stage - 1];
      var caption = "Step " + stage + "/5, " + now.title + ": " + now.formula; // as the Python caption
      CELL_READOUTS.forEach(function (row, i) {
        var reached = row[3] <= stage;
        setReadout(nodes[i], reached ? fixed(v[row[1]], 4) : "? (stage " + row[3] + ")", v[row[1]],
          reached ? "" : "is-hidden");
        nodes[i].setAttribute("data-name", row[1]);
      });
      clear(list);
      v.stages.slice(0, stage).forEach(function (st) {
        var li = html("li", { "data-stage": String(st.number), class: st.number === stage ? "is-current" : "" }, list);
        html("span", { "data-role": "stage-title" }, li, st.title);
        li.appendChild(document.createTextNode(" "));
        html("code", { "data-role": "formula" }, li, st.formula);
      });
      var known = CELL_READOUTS.filter(function (row) { return row[3] <= stage; }).map(function (row) {
        return plainText(row[2]) + " = " + fixed(v[row[1]], 3);
      });
      var narrow = isNarrow(parts.chart), size = narrow ? CELL_NARROW : CELL_WIDE;
      chart.size(Math.round(size.width * 60), Math.round(size.height * 60), narrow);
      var body = chart.draw(
        "Diagram of the 1997 memory cell, step " + stage + " of 5: " + now.title,
        "net_c passes the squasher g, is multiplied by the input gate y^in and added to the carousel s_c, " +
        "which keeps its previous value with weight 1.0; s_c passes the squasher h and is multiplied by the " +
        "output gate y^out to give y^c. Inputs: net_in = " + fixed(v.net_in, 3) + ", net_c = " + fixed(v.net_c, 3) +
        ", net_out = " + fixed(v.net_out, 3) + ", s_c(t-1) = " + fixed(v.s_prev, 3) + ". Computed so far: " +
        known.join(", ") + ". " + caption);
      drawCellDiagram(body, v, stage, caption, narrow);
    }
    update();
    redrawOnLayoutChange(parts.chart, update);
  }

  // =============================================================================================
  // Start-up
  // =============================================================================================
  var BUILDERS = { vanishing: buildVanishing, carousel: buildCarousel, cell: buildCell };

  /** Build every not-yet-built .lstm-live figure under `root` (default: the document). */
  function init(root) {
    var hosts = (root || document).querySelectorAll(".lstm-live:not(.lstm-live--ready)");
    Array.prototype.forEach.call(hosts, function (host) {
      var kind = host.getAttribute("data-figure");
      var build = BUILDERS[kind];
      if (!build) {
        host.classList.add("lstm-live--ready");
        html("p", { class: "lstm-live-notes", "data-role": "notes" }, host,
          "Unknown live figure \"" + kind + "\"; expected one of " + Object.keys(BUILDERS).join(", ") + ".");
        return;
      }
      build(host);
    });
  }

  var api = window.LSTMLive || {};
  api.vanishing = { compute: computeVanishing, regime: gradientRegime };
  api.carousel = { compute: computeCarousel };
  api.cell = { compute: computeCell };
  api.format = { fixed: fixed, general: general };
  api.init = init;
  api.ready = false;
  window.LSTMLive = api;

  function start() {
    init(document);
    api.ready = true;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
