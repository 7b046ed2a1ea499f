// The space-frequency explorer of convbook.widgets.SpaceFrequencyExplorer.
//
// Everything is computed here, in the browser, so that the widget works in
// the static HTML book without a kernel. The maths is in small exported
// functions that tests/test_widgets.py runs under Node against
// convbook.convolve; render() only draws and wires the controls.

const COLORS = { input: "#1f77b4", kernel: "#d62728", output: "#2ca02c", other: "#9467bd" };
const FILTER_LABELS = {
  moving_average: "moving average",
  gaussian: "Gaussian low-pass",
  difference: "difference (edges)",
  custom: "custom taps",
};
const SIGNAL_RANGE = 2; // the signal plot spans [-2, 2], so drawing maps to fixed values
const ALIAS_TOL = 1e-9;

/** Full linear convolution by sliding: y[m] = sum_j h[j] x[m - j], n + k - 1 samples. */
export function slide(x, h) {
  const y = new Array(x.length + h.length - 1).fill(0);
  for (let m = 0; m < y.length; m++) {
    for (let j = Math.max(0, m - x.length + 1); j <= Math.min(m, h.length - 1); j++) {
      y[m] += h[j] * x[m - j];
    }
  }
  return y;
}

/** Cyclic convolution of x and h zero-padded to L samples: y[m] = sum_j h[j] x[(m - j) mod L]. */
export function slideCyclic(x, h, L) {
  const y = new Array(L).fill(0);
  for (let m = 0; m < L; m++) {
    for (let j = 0; j < h.length; j++) {
      const i = (((m - j) % L) + L) % L;
      if (i < x.length) y[m] += h[j] * x[i];
    }
  }
  return y;
}

/** |DFT_L(a)|_k for k = 0 .. floor(L / 2), a zero-padded (or cut) to L samples. */
export function dftMagnitudes(a, L) {
  const out = [];
  for (let k = 0; k <= Math.floor(L / 2); k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < Math.min(a.length, L); t++) {
      const phase = (-2 * Math.PI * ((k * t) % L)) / L;
      re += a[t] * Math.cos(phase);
      im += a[t] * Math.sin(phase);
    }
    out.push(Math.hypot(re, im));
  }
  return out;
}

/** Everything the widget draws, for a signal x, taps h, mode and cyclic length. */
export function compute(x, h, mode, length) {
  const linear = slide(x, h);
  const L = mode === "linear" ? linear.length : length;
  const y = mode === "linear" ? linear : slideCyclic(x, h, L);
  const fx = dftMagnitudes(x, L);
  const fh = dftMagnitudes(h, L);
  const fy = dftMagnitudes(y, L);
  let maxDiff = 0;
  fy.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - fx[k] * fh[k]))));
  const aliased = y.map((v, m) => m < linear.length && Math.abs(v - linear[m]) > ALIAS_TOL);
  return { y, linear, L, fx, fh, fy, maxDiff, aliased };
}

/** Numbers typed by the reader, "1, -2, 1" or "1 -2 1": an array, or null if not 1 to 32 finite numbers. */
export function parseTaps(text) {
  const parts = text.split(/[\s,;]+/).filter((s) => s.length > 0);
  const taps = parts.map(Number);
  if (taps.length < 1 || taps.length > 32 || taps.some((v) => !Number.isFinite(v))) return null;
  return taps;
}

function element(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  children.forEach((c) => node.appendChild(c));
  return node;
}

function labelled(text, control) {
  return element("label", { class: "sfx-control" }, [element("span", { text }), control]);
}

// Axis text: 12 CSS px, the smallest size the book's figures use (convbook.plotting.MIN_TEXT_PX is 10).
const AXIS_FONT = "12px sans-serif";

/** Draw stems (or bars) of `values` on a canvas, with named axes; returns the mapping used, for the mouse. */
function plot(canvas, values, opts) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 300;
  const height = canvas.clientHeight || 150;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const ink = getComputedStyle(canvas).color || "#333";
  const pad = { left: 52, right: 8, top: 12, bottom: 34 };
  const all = values.concat(opts.overlay || [], opts.dots || []);
  let lo = opts.range ? opts.range[0] : Math.min(0, ...all);
  let hi = opts.range ? opts.range[1] : Math.max(0, ...all);
  if (hi - lo < 1e-12) hi = lo + 1;
  if (!opts.range) {
    const margin = 0.08 * (hi - lo);
    hi += margin;
    lo = lo < 0 ? lo - margin : lo;
  }
  const count = opts.count || values.length;
  const xs = (i) => pad.left + ((i + 0.5) * (width - pad.left - pad.right)) / count;
  const ys = (v) => pad.top + ((hi - v) * (height - pad.top - pad.bottom)) / (hi - lo);
  ctx.font = AXIS_FONT;
  ctx.fillStyle = ink;
  ctx.strokeStyle = ink;
  ctx.globalAlpha = 0.35;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(pad.left, ys(0));
  ctx.lineTo(width - pad.right, ys(0));
  ctx.stroke();
  ctx.globalAlpha = 0.8;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  [hi, lo].forEach((v) => ctx.fillText(formatTick(v), pad.left - 4, ys(v)));
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  ctx.fillText("0", pad.left, height - pad.bottom + 3);
  ctx.textAlign = "right";
  ctx.fillText(String(count - 1), width - pad.right, height - pad.bottom + 3);
  // The axes' names: the index along the bottom, the quantity up the left.
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  if (opts.xName) ctx.fillText(opts.xName, pad.left + (width - pad.left - pad.right) / 2, height - 1);
  if (opts.yName) {
    ctx.save();
    ctx.translate(2, pad.top + (height - pad.top - pad.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "top";
    ctx.fillText(opts.yName, 0, 0);
    ctx.restore();
  }
  ctx.globalAlpha = 1;
  if (opts.overlay) {
    ctx.strokeStyle = ink;
    ctx.globalAlpha = 0.45;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    opts.overlay.forEach((v, i) => (i === 0 ? ctx.moveTo(xs(i), ys(v)) : ctx.lineTo(xs(i), ys(v))));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  }
  const step = (width - pad.left - pad.right) / count;
  values.forEach((v, i) => {
    const color = opts.highlight && opts.highlight[i] ? COLORS.other : opts.color;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    if (opts.bars) {
      const w = Math.max(1, 0.75 * step);
      ctx.fillRect(xs(i) - w / 2, Math.min(ys(v), ys(0)), w, Math.abs(ys(v) - ys(0)));
    } else {
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(xs(i), ys(0));
      ctx.lineTo(xs(i), ys(v));
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(xs(i), ys(v), Math.min(3, Math.max(1.5, step / 3)), 0, 2 * Math.PI);
      ctx.fill();
    }
  });
  if (opts.dots) {
    ctx.fillStyle = ink;
    opts.dots.forEach((v, i) => {
      ctx.beginPath();
      ctx.arc(xs(i), ys(v), 1.8, 0, 2 * Math.PI);
      ctx.fill();
    });
  }
  return {
    index: (px) => Math.round(((px - pad.left) * count) / (width - pad.left - pad.right) - 0.5),
    value: (py) => hi - ((py - pad.top) * (hi - lo)) / (height - pad.top - pad.bottom),
  };
}

function formatTick(v) {
  if (v === 0) return "0";
  return Math.abs(v) >= 100 || Math.abs(v) < 0.01 ? v.toExponential(0) : v.toPrecision(2);
}

function panel(title, aria) {
  const canvas = element("canvas", { role: "img", "aria-label": aria });
  const caption = element("div", { class: "sfx-title" });
  caption.innerHTML = title;
  return { box: element("div", { class: "sfx-panel" }, [caption, canvas]), canvas, caption };
}

function render({ model, el }) {
  const presets = model.get("presets");
  const filters = model.get("filters");
  const root = element("div", { class: "sfx" });

  const presetSelect = element("select", { "aria-label": "signal preset" });
  [...Object.keys(presets), "drawn"].forEach((name) =>
    presetSelect.appendChild(element("option", { value: name, text: name === "drawn" ? "drawn by you" : name })),
  );
  const filterSelect = element("select", { "aria-label": "filter" });
  [...Object.keys(filters), "custom"].forEach((name) =>
    filterSelect.appendChild(element("option", { value: name, text: FILTER_LABELS[name] || name })),
  );
  const widthInput = element("input", { type: "range", "aria-label": "filter taps" });
  const widthValue = element("output");
  const tapsInput = element("input", { type: "text", class: "sfx-taps", "aria-label": "custom taps",
    placeholder: "e.g. 1, -2, 1" });
  const modeButtons = ["linear", "cyclic"].map((mode) =>
    element("button", { type: "button", class: "sfx-mode", "data-mode": mode, text: mode }),
  );
  const n = model.get("signal").length;
  const lengthInput = element("input", { type: "range", min: String(n), max: String(n + 32), step: "1",
    "aria-label": "padded length L" });
  const lengthValue = element("output");

  const controls = element("div", { class: "sfx-controls" }, [
    labelled("signal", presetSelect),
    labelled("filter", filterSelect),
    element("label", { class: "sfx-control sfx-width" }, [element("span", { text: "taps" }), widthInput, widthValue]),
    element("label", { class: "sfx-control sfx-custom" }, [element("span", { text: "taps" }), tapsInput]),
    element("div", { class: "sfx-control", role: "group", "aria-label": "convolution" }, [
      element("span", { text: "convolution" }),
      element("div", { class: "sfx-toggle" }, modeButtons),
    ]),
    element("label", { class: "sfx-control sfx-length" }, [element("span", { text: "padded length L" }),
      lengthInput, lengthValue]),
  ]);
  const status = element("p", { class: "sfx-status", "aria-live": "polite" });
  const panels = {
    x: panel("signal <i>x</i> <span class='sfx-hint'>(draw on it)</span>", "signal x"),
    fx: panel("|<i>F x</i>|", "DFT magnitude of x"),
    h: panel("filter <i>h</i>", "filter h"),
    fh: panel("|<i>F h</i>|", "DFT magnitude of h"),
    y: panel("output <i>y</i> = <i>h</i> ∗ <i>x</i>, by sliding", "output y"),
    fy: panel("|<i>F y</i>| and |<i>F x</i>|·|<i>F h</i>| (dots)", "DFT magnitude of y"),
  };
  const grid = element("div", { class: "sfx-grid" },
    ["x", "fx", "h", "fh", "y", "fy"].map((k) => panels[k].box));
  root.append(controls, status, grid);
  el.appendChild(root);

  let signalMap = null;
  let drawing = null;

  function syncControls() {
    const filter = model.get("filter");
    presetSelect.value = model.get("preset");
    filterSelect.value = filter;
    const widths = filter === "custom" ? [] : Object.keys(filters[filter]).map(Number);
    widthInput.min = String(Math.min(...widths, 1));
    widthInput.max = String(Math.max(...widths, 1));
    widthInput.step = widths.length > 1 ? String(widths[1] - widths[0]) : "1";
    widthInput.value = String(model.get("width"));
    widthInput.disabled = widths.length <= 1;
    widthValue.textContent = String(model.get("taps").length);
    root.classList.toggle("sfx-is-custom", filter === "custom");
    if (filter !== "custom" || document.activeElement !== tapsInput) {
      tapsInput.value = model.get("taps").map((v) => +v.toPrecision(4)).join(", ");
    }
    const mode = model.get("mode");
    modeButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.mode === mode)));
    lengthInput.value = String(model.get("length"));
    lengthInput.disabled = mode !== "cyclic";
    lengthValue.textContent = mode === "cyclic" ? String(model.get("length")) : "n + r − 1";
  }

  function draw() {
    const x = model.get("signal");
    const h = model.get("taps");
    const mode = model.get("mode");
    const r = compute(x, h, mode, model.get("length"));
    const need = x.length + h.length - 1;
    const lost = need - r.L;
    let text = mode === "linear"
      ? `Linear: y has n + r − 1 = ${need} samples, and the DFTs are padded to that length, so nothing wraps around.`
      : `Cyclic, L = ${r.L}: ` + (lost > 0
        ? `L < n + r − 1 = ${need}, so the last ${lost} samples of the linear result wrap around onto the first ${lost} (aliasing, in purple; dashed: linear).`
        : `L ≥ n + r − 1 = ${need}, so the cyclic result is the linear one followed by ${r.L - need} zeros: no aliasing.`);
    text += ` Largest gap between |F y| and |F x|·|F h| over the ${r.fy.length} frequencies: ${r.maxDiff.toExponential(1)}.`;
    status.textContent = text;
    const space = "sample m";
    const freq = "frequency q";
    signalMap = plot(panels.x.canvas, x, { color: COLORS.input, range: [-SIGNAL_RANGE, SIGNAL_RANGE],
      xName: space, yName: "x[m]" });
    plot(panels.h.canvas, h, { color: COLORS.kernel, xName: "tap k", yName: "h[k]" });
    plot(panels.y.canvas, r.y, { color: COLORS.output, highlight: r.aliased, xName: space, yName: "y[m]",
      overlay: mode === "cyclic" ? r.linear.slice(0, Math.max(r.L, need)) : null,
      count: Math.max(r.y.length, mode === "cyclic" ? need : 0) });
    plot(panels.fx.canvas, r.fx, { color: COLORS.input, bars: true, xName: freq, yName: "|F x|" });
    plot(panels.fh.canvas, r.fh, { color: COLORS.kernel, bars: true, xName: freq, yName: "|F h|" });
    plot(panels.fy.canvas, r.fy, { color: COLORS.output, bars: true, dots: r.fx.map((v, i) => v * r.fh[i]),
      xName: freq, yName: "|F y|" });
    panels.fx.caption.innerHTML = `|<i>F x</i>|, DFT length ${r.L}`;
    root.dataset.state = JSON.stringify({ preset: model.get("preset"), signal: x, taps: h, mode,
      length: model.get("length") });
    root.dataset.output = JSON.stringify(r.y);
    root.dataset.spectrum = JSON.stringify(r.fy);
    root.dataset.maxDiff = String(r.maxDiff);
    const old = model.get("output");
    if (old.length !== r.y.length || old.some((v, i) => v !== r.y[i])) {
      model.set("output", r.y);
      model.save_changes();
    }
  }

  function update() {
    syncControls();
    draw();
  }

  presetSelect.addEventListener("change", () => {
    const name = presetSelect.value;
    if (name in presets) {
      model.set("preset", name);
      model.set("signal", presets[name].slice());
      model.save_changes();
    }
  });
  filterSelect.addEventListener("change", () => {
    const name = filterSelect.value;
    model.set("filter", name);
    if (name !== "custom") {
      const widths = Object.keys(filters[name]);
      const w = widths.includes(String(model.get("width"))) ? String(model.get("width")) : widths[Math.floor(widths.length / 2)];
      model.set("width", Number(w));
      model.set("taps", filters[name][w].slice());
    }
    model.save_changes();
  });
  widthInput.addEventListener("input", () => {
    const name = model.get("filter");
    const w = widthInput.value;
    if (name in filters && w in filters[name]) {
      model.set("width", Number(w));
      model.set("taps", filters[name][w].slice());
      model.save_changes();
    }
  });
  tapsInput.addEventListener("input", () => {
    const taps = parseTaps(tapsInput.value);
    tapsInput.classList.toggle("sfx-invalid", taps === null);
    if (taps !== null) {
      model.set("filter", "custom");
      model.set("width", taps.length);
      model.set("taps", taps);
      model.save_changes();
    }
  });
  modeButtons.forEach((b) =>
    b.addEventListener("click", () => {
      model.set("mode", b.dataset.mode);
      model.save_changes();
    }),
  );
  lengthInput.addEventListener("input", () => {
    model.set("length", Number(lengthInput.value));
    model.save_changes();
  });

  // Drawing: the sample under the pointer takes the pointer's height, and a
  // fast stroke fills the samples it skipped by linear interpolation.
  const signalCanvas = panels.x.canvas;
  function drawAt(event) {
    const box = signalCanvas.getBoundingClientRect();
    const x = model.get("signal").slice();
    const i = Math.max(0, Math.min(x.length - 1, signalMap.index(event.clientX - box.left)));
    const v = Math.max(-SIGNAL_RANGE, Math.min(SIGNAL_RANGE, signalMap.value(event.clientY - box.top)));
    const [i0, v0] = drawing.last || [i, v];
    const span = Math.abs(i - i0);
    for (let s = 0; s <= span; s++) {
      const t = span === 0 ? 1 : s / span;
      x[Math.round(i0 + (i - i0) * t)] = v0 + (v - v0) * t;
    }
    drawing.last = [i, v];
    model.set("preset", "drawn");
    model.set("signal", x);
  }
  signalCanvas.addEventListener("pointerdown", (event) => {
    drawing = { last: null };
    signalCanvas.setPointerCapture(event.pointerId);
    drawAt(event);
  });
  signalCanvas.addEventListener("pointermove", (event) => drawing && drawAt(event));
  const stop = () => {
    if (drawing) {
      drawing = null;
      model.save_changes();
    }
  };
  signalCanvas.addEventListener("pointerup", stop);
  signalCanvas.addEventListener("pointercancel", stop);

  const events = ["signal", "preset", "filter", "width", "taps", "mode", "length"];
  events.forEach((name) => model.on(`change:${name}`, update));
  const resize = new ResizeObserver(() => draw());
  resize.observe(root);
  update();
  return () => {
    events.forEach((name) => model.off(`change:${name}`, update));
    resize.disconnect();
  };
}

export default { render };
