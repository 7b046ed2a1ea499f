// The footprint explorer of convbook.widgets.FootprintExplorer.
//
// Through the FFT route an output y_n of the valid correlation of an M x N
// image with a K x L kernel is a sum of M N frequency terms,
// tau_f = conj(F[n, f]) conj(W^_f) X^_f / (M N). The derivative of a term by
// a weight w_k is linear in the pixels (by a pixel x_j, linear in the
// weights); the widget shows the coefficients of the partial sums of those
// derivatives, term by term, collapsing onto the spatial derivative. All of
// it is computed here, in the browser, so that it works in the static book;
// tests/test_widgets.py runs the exported functions under Node against
// convbook.symbolic.partial_sum_footprints.

const ZERO = 5e-13; // a coefficient smaller than this is shown as 0 (rounding left by the cancellation)

/** exp(-2 pi i (f1 p1 / M + f2 p2 / N)) as [re, im]: entry (f, p) of the 2-D DFT matrix, exponents reduced first. */
function dft(f1, f2, p1, p2, M, N) {
  const mod = (a, m) => ((a % m) + m) % m;
  const angle = -2 * Math.PI * (mod(f1 * p1, M) / M + mod(f2 * p2, N) / N);
  return [Math.cos(angle), Math.sin(angle)];
}

function mul([a, b], [c, d]) {
  return [a * c - b * d, a * d + b * c];
}

const conj = ([a, b]) => [a, -b];

/**
 * Partial sums of the frequency terms of d y_n / d w_k (wrt "w": coefficients of the M x N pixels)
 * or d y_n / d x_j (wrt "x": coefficients of the K x L weights). Returns {shape, sums}, where
 * sums[t] = {re, im} (row-major, flattened) is the sum of the first t + 1 terms, in row-major
 * order of the frequencies f = (f1, f2).
 */
export function partialSums(imageShape, kernelShape, output, variable, wrt) {
  const [M, N] = imageShape;
  const [K, L] = kernelShape;
  const [i, j] = output;
  const shape = wrt === "w" ? [M, N] : [K, L];
  const size = shape[0] * shape[1];
  const re = new Array(size).fill(0);
  const im = new Array(size).fill(0);
  const sums = [];
  for (let f1 = 0; f1 < M; f1++) {
    for (let f2 = 0; f2 < N; f2++) {
      // conj(F[n, f]) and the factor of the variable differentiated by
      const out = conj(dft(f1, f2, i, j, M, N));
      const [v1, v2] = variable;
      const fixed = wrt === "w" ? conj(dft(f1, f2, v1, v2, M, N)) : dft(f1, f2, v1, v2, M, N);
      const front = mul(out, fixed);
      for (let a = 0; a < shape[0]; a++) {
        for (let b = 0; b < shape[1]; b++) {
          // the other variable's factor: F[f, p] for a pixel p, conj(F[f, k]) for a weight k
          const other = wrt === "w" ? dft(f1, f2, a, b, M, N) : conj(dft(f1, f2, a, b, M, N));
          const [tr, ti] = mul(front, other);
          re[a * shape[1] + b] += tr / (M * N);
          im[a * shape[1] + b] += ti / (M * N);
        }
      }
      sums.push({ re: re.slice(), im: im.slice() });
    }
  }
  return { shape, sums };
}

/** The derivative by the spatial formula y_ij = sum_kl w_kl x_(i+k)(j+l): 1 where it is, 0 elsewhere. */
export function spatialFootprint(imageShape, kernelShape, output, variable, wrt) {
  const [M, N] = imageShape;
  const [K, L] = kernelShape;
  const [i, j] = output;
  const [v1, v2] = variable;
  const shape = wrt === "w" ? [M, N] : [K, L];
  const d = new Array(shape[0] * shape[1]).fill(0);
  if (wrt === "w") d[(i + v1) * N + (j + v2)] = 1; // d y_ij / d w_kl = x_(i+k)(j+l)
  else if (v1 - i >= 0 && v1 - i < K && v2 - j >= 0 && v2 - j < L) d[(v1 - i) * L + (v2 - j)] = 1;
  return d;
}

/** Everything the widget shows for a state: the partial sum of `terms` terms, its magnitude, the spatial derivative. */
export function compute(imageShape, kernelShape, output, variable, wrt, terms) {
  const { shape, sums } = partialSums(imageShape, kernelShape, output, variable, wrt);
  const { re, im } = sums[terms - 1];
  const magnitude = re.map((r, p) => Math.hypot(r, im[p]));
  const spatial = spatialFootprint(imageShape, kernelShape, output, variable, wrt);
  const maxDiff = Math.max(...re.map((r, p) => Math.hypot(r - spatial[p], im[p])));
  const nonzero = magnitude.filter((v) => v > ZERO).length;
  return { shape, re, im, magnitude, spatial, maxDiff, nonzero, largest: Math.max(...magnitude), total: sums.length };
}

/** A coefficient's magnitude as the widget writes it: 0 below ZERO, else three significant digits. */
export function formatMagnitude(v) {
  return v < ZERO ? "0" : v.toPrecision(3);
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

// Names count from 1, as the chapter writes them: x11 is pixel (0, 0).
const name = (letter, [a, b]) => `${letter}${a + 1}${b + 1}`;
const sub = (letter, [a, b]) => `${letter}<sub>${a + 1}${b + 1}</sub>`;

function options(select, shape, letter, value) {
  select.replaceChildren();
  for (let a = 0; a < shape[0]; a++) {
    for (let b = 0; b < shape[1]; b++) {
      select.appendChild(element("option", { value: `${a},${b}`, text: name(letter, [a, b]) }));
    }
  }
  select.value = `${value[0]},${value[1]}`;
}

function render({ model, el }) {
  const root = element("div", { class: "fpx" });
  const wrtButtons = [["w", "a weight w"], ["x", "a pixel x"]].map(([wrt, text]) =>
    element("button", { type: "button", class: "fpx-wrt", "data-wrt": wrt, text }),
  );
  const outputSelect = element("select", { "aria-label": "output" });
  const variableSelect = element("select", { "aria-label": "variable" });
  const variableLabel = element("span");
  const minus = element("button", { type: "button", class: "fpx-step", "aria-label": "one term fewer", text: "−" });
  const plus = element("button", { type: "button", class: "fpx-step", "aria-label": "one term more", text: "+" });
  const termsInput = element("input", { type: "range", min: "1", step: "1", "aria-label": "frequency terms" });
  const termsValue = element("output", { class: "fpx-terms-value" });
  const controls = element("div", { class: "fpx-controls" }, [
    element("div", { class: "fpx-control", role: "group", "aria-label": "differentiate by" }, [
      element("span", { text: "differentiate by" }),
      element("div", { class: "fpx-toggle" }, wrtButtons),
    ]),
    element("label", { class: "fpx-control" }, [element("span", { text: "output" }), outputSelect]),
    element("label", { class: "fpx-control" }, [variableLabel, variableSelect]),
    element("div", { class: "fpx-control fpx-terms", role: "group", "aria-label": "frequency terms added" }, [
      element("span", { text: "frequency terms added" }),
      element("div", { class: "fpx-stepper" }, [minus, termsInput, plus, termsValue]),
    ]),
  ]);
  const status = element("p", { class: "fpx-status", "aria-live": "polite" });
  const footprintTitle = element("div", { class: "fpx-title" });
  const footprintGrid = element("div", { class: "fpx-grid", role: "table", "aria-label": "footprint" });
  const frequencyTitle = element("div", { class: "fpx-title" });
  const frequencyGrid = element("div", { class: "fpx-grid fpx-freq", "aria-label": "frequency terms" });
  const panels = element("div", { class: "fpx-panels" }, [
    element("div", { class: "fpx-panel" }, [footprintTitle, footprintGrid]),
    element("div", { class: "fpx-panel" }, [frequencyTitle, frequencyGrid]),
  ]);
  root.append(controls, status, panels);
  el.appendChild(root);

  function state() {
    return {
      imageShape: model.get("image_shape"),
      kernelShape: model.get("kernel_shape"),
      output: model.get("output"),
      variable: model.get("variable"),
      wrt: model.get("wrt"),
      terms: model.get("terms"),
    };
  }

  function update() {
    const s = state();
    const [M, N] = s.imageShape;
    const [K, L] = s.kernelShape;
    const total = M * N;
    const terms = Math.max(1, Math.min(total, s.terms));
    wrtButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.wrt === s.wrt)));
    options(outputSelect, [M - K + 1, N - L + 1], "y", s.output);
    options(variableSelect, s.wrt === "w" ? [K, L] : [M, N], s.wrt, s.variable);
    variableLabel.textContent = s.wrt === "w" ? "weight" : "pixel";
    termsInput.max = String(total);
    termsInput.value = String(terms);
    termsValue.textContent = `${terms} of ${total}`;
    minus.disabled = terms <= 1;
    plus.disabled = terms >= total;

    const r = compute(s.imageShape, s.kernelShape, s.output, s.variable, s.wrt, terms);
    const other = s.wrt === "w" ? "x" : "w";
    const derivative = `∂${sub("y", s.output)}/∂${sub(s.wrt, s.variable)}`;
    footprintTitle.innerHTML = `coefficient of each ${s.wrt === "w" ? "pixel" : "weight"} (magnitude) in the first ${terms} term${terms > 1 ? "s" : ""} of ${derivative}`;
    footprintGrid.style.gridTemplateColumns = `repeat(${r.shape[1]}, minmax(0, 3.4rem))`;
    footprintGrid.replaceChildren();
    const inWindow = (a, b) => s.wrt === "w" && a >= s.output[0] && a < s.output[0] + K && b >= s.output[1] && b < s.output[1] + L;
    for (let a = 0; a < r.shape[0]; a++) {
      for (let b = 0; b < r.shape[1]; b++) {
        const p = a * r.shape[1] + b;
        const v = r.magnitude[p];
        const shade = r.largest > ZERO ? v / r.largest : 0; // one grey scale per view, as in the static figure
        const cell = element("div", {
          class: "fpx-cell" + (inWindow(a, b) ? " fpx-window" : "") + (r.spatial[p] ? " fpx-target" : ""),
          role: "cell",
          "data-index": `${a},${b}`,
          title: `${name(other, [a, b])}: ${r.re[p].toPrecision(6)} ${r.im[p] < 0 ? "−" : "+"} ${Math.abs(r.im[p]).toPrecision(6)}i`,
        }, [element("span", { class: "fpx-name", text: name(other, [a, b]) }),
          element("span", { class: "fpx-value", text: formatMagnitude(v) })]);
        cell.style.background = `rgba(40, 40, 40, ${(0.85 * shade).toFixed(3)})`;
        cell.classList.toggle("fpx-dark", shade > 0.5);
        footprintGrid.appendChild(cell);
      }
    }
    frequencyTitle.innerHTML = `frequencies f = (f<sub>1</sub>, f<sub>2</sub>) added so far`;
    frequencyGrid.style.gridTemplateColumns = `repeat(${N}, minmax(0, 2.6rem))`;
    frequencyGrid.replaceChildren();
    for (let f = 0; f < total; f++) {
      const cell = element("div", { class: "fpx-cell fpx-f" + (f < terms ? " fpx-added" : "") + (f === terms - 1 ? " fpx-last" : ""),
        text: `${Math.floor(f / N)},${f % N}` });
      frequencyGrid.appendChild(cell);
    }
    const target = s.wrt === "w" ? `${sub("x", [s.output[0] + s.variable[0], s.output[1] + s.variable[1]])}`
      : r.spatial.some((v) => v) ? sub("w", [s.variable[0] - s.output[0], s.variable[1] - s.output[1]]) : "0";
    let text = `After ${terms} of ${total} terms, ${r.nonzero} of the ${r.magnitude.length} coefficients are nonzero, the largest ${formatMagnitude(r.largest)}.`;
    text += terms === total
      ? ` All ${total} terms: the footprint is the spatial derivative, ${derivative} = ${target} (largest difference ${r.maxDiff.toExponential(1)}, rounding).`
      : ` Spatially, ${derivative} = ${target}; it is ${r.maxDiff.toPrecision(3)} away.`;
    status.innerHTML = text;
    root.dataset.state = JSON.stringify({ ...s, terms });
    root.dataset.re = JSON.stringify(r.re);
    root.dataset.im = JSON.stringify(r.im);
    root.dataset.maxDiff = String(r.maxDiff);
  }

  wrtButtons.forEach((button) =>
    button.addEventListener("click", () => {
      const wrt = button.dataset.wrt;
      if (wrt === model.get("wrt")) return;
      const [i, j] = model.get("output");
      const [a, b] = model.get("variable");
      const [K, L] = model.get("kernel_shape");
      // Keep the pair of the derivative: weight (k, l) of output (i, j) sits on pixel (i + k, j + l).
      const variable = wrt === "x" ? [i + a, j + b] : [Math.min(Math.max(a - i, 0), K - 1), Math.min(Math.max(b - j, 0), L - 1)];
      model.set("wrt", wrt);
      model.set("variable", variable);
      model.save_changes();
    }),
  );
  const pair = (value) => value.split(",").map(Number);
  outputSelect.addEventListener("change", () => {
    model.set("output", pair(outputSelect.value));
    model.save_changes();
  });
  variableSelect.addEventListener("change", () => {
    model.set("variable", pair(variableSelect.value));
    model.save_changes();
  });
  const setTerms = (t) => {
    const [M, N] = model.get("image_shape");
    model.set("terms", Math.max(1, Math.min(M * N, t)));
    model.save_changes();
  };
  termsInput.addEventListener("input", () => setTerms(Number(termsInput.value)));
  minus.addEventListener("click", () => setTerms(model.get("terms") - 1));
  plus.addEventListener("click", () => setTerms(model.get("terms") + 1));

  const events = ["image_shape", "kernel_shape", "output", "variable", "wrt", "terms"];
  events.forEach((e) => model.on(`change:${e}`, update));
  update();
  return () => events.forEach((e) => model.off(`change:${e}`, update));
}

export default { render };
