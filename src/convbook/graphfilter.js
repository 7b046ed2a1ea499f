// The graph filter explorer of convbook.widgets.GraphFilterExplorer.
//
// A graph (n nodes, an undirected weighted edge list, node positions) comes
// from Python; the reader clicks a node to put an impulse delta there and
// picks a filter. Everything is computed here, in the browser, so that it
// works in the static book, by sparse products with the edge list:
//
// - "heat": exp(-t L) delta, L = I - D^{-1/2} A D^{-1/2} the normalised
//   Laplacian, by scaling and Taylor series: the time is cut into
//   m = ceil(2 t) steps tau = t / m, and exp(-tau L) x is summed as the
//   first TAYLOR_TERMS + 1 terms of its Taylor series. The spectrum of L
//   lies in [0, 2], so ||tau L|| <= 1, each step's error is at most
//   e / (TAYLOR_TERMS + 1)! ||x|| (about 1e-19), and exp(-tau L) is a
//   contraction, so the m errors add up without growing.
// - "polynomial": (I - L/2)^K delta, K products; its response (1 - lambda/2)^K
//   falls from 1 at lambda = 0 to 0 at lambda = 2, the bound of the spectrum.
// - "gcn": Â^L delta with Â = D̃^{-1/2} (A + I) D̃^{-1/2} (Kipf & Welling).
//
// I - L/2 and Â have non-negative entries and a positive diagonal, so the
// polynomial and GCN outputs are nonzero exactly on the K-hop ball of the
// impulse (no cancellation can make a reachable node 0, and a product with
// the edge list never writes outside it). tests/test_widgets.py runs the
// exported functions under Node against convbook.graphs.

const TAYLOR_TERMS = 20;
const FILTERS = ["heat", "polynomial", "gcn"];

/** Adjacency lists of the edge list: rows[i] = [[j, a_ij], ...] (a self-loop once), and the degrees. */
export function buildGraph(n, edges, weights) {
  const rows = Array.from({ length: n }, () => []);
  const degree = new Array(n).fill(0);
  edges.forEach(([i, j], e) => {
    const w = weights[e];
    rows[i].push([j, w]);
    degree[i] += w;
    if (i !== j) {
      rows[j].push([i, w]);
      degree[j] += w;
    }
  });
  return { n, rows, degree };
}

/** L x for the normalised Laplacian D^{-1/2} (D - A) D^{-1/2}; an isolated node's row is 0, as in networkx. */
export function laplacianTimes(graph, x) {
  const s = graph.degree.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
  return graph.rows.map((row, i) => {
    let sum = graph.degree[i] * s[i] * x[i];
    for (const [j, w] of row) sum -= w * s[j] * x[j];
    return s[i] * sum;
  });
}

/** Â x for the GCN's renormalised Â = D̃^{-1/2} (A + I) D̃^{-1/2}, D̃ the degrees of A + I. */
export function gcnTimes(graph, x) {
  const r = graph.degree.map((d) => 1 / Math.sqrt(d + 1));
  return graph.rows.map((row, i) => {
    let sum = r[i] * x[i];
    for (const [j, w] of row) sum += w * r[j] * x[j];
    return r[i] * sum;
  });
}

/** exp(-t L) x by m = ceil(2 t) steps of a Taylor series of TAYLOR_TERMS + 1 terms (see the header). */
export function heat(graph, x, t, terms = TAYLOR_TERMS) {
  const steps = Math.max(1, Math.ceil(2 * t));
  const tau = t / steps;
  let y = x.slice();
  for (let s = 0; s < steps; s++) {
    let term = y;
    const next = y.slice();
    for (let k = 1; k <= terms; k++) {
      term = laplacianTimes(graph, term).map((v) => (-tau * v) / k);
      term.forEach((v, i) => (next[i] += v));
    }
    y = next;
  }
  return y;
}

/** (I - L/2)^order x. */
export function polynomial(graph, x, order) {
  let y = x.slice();
  for (let k = 0; k < order; k++) {
    const Ly = laplacianTimes(graph, y);
    y = y.map((v, i) => v - Ly[i] / 2);
  }
  return y;
}

/** Â^layers x. */
export function gcn(graph, x, layers) {
  let y = x.slice();
  for (let k = 0; k < layers; k++) y = gcnTimes(graph, y);
  return y;
}

/** Hops from the source to every node (breadth first, edges of any positive weight); Infinity where unreachable. */
export function hops(graph, source) {
  const dist = new Array(graph.n).fill(Infinity);
  dist[source] = 0;
  const queue = [source];
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q];
    for (const [j, w] of graph.rows[i]) {
      if (w > 0 && dist[j] === Infinity) {
        dist[j] = dist[i] + 1;
        queue.push(j);
      }
    }
  }
  return dist;
}

/**
 * Everything the widget shows for a state {n, edges, weights, filter, node, t, order, layers}:
 * the filtered impulse, the hops from the impulse, the radius of the filter's ball (null for the
 * heat kernel, which is not local), the nonzero nodes and the nodes of the ball.
 */
export function compute(state) {
  const { n, edges, weights, filter, node, t, order, layers } = state;
  if (!FILTERS.includes(filter)) throw new Error(`unknown filter ${filter}`);
  const graph = buildGraph(n, edges, weights);
  const delta = new Array(n).fill(0);
  delta[node] = 1;
  const values = filter === "heat" ? heat(graph, delta, t) : filter === "polynomial" ? polynomial(graph, delta, order) : gcn(graph, delta, layers);
  const dist = hops(graph, node);
  const radius = filter === "heat" ? null : filter === "polynomial" ? order : layers;
  const nonzero = values.map((v) => v !== 0);
  const ball = dist.map((d) => radius !== null && d <= radius);
  const count = (a) => a.filter(Boolean).length;
  const reachable = count(dist.map((d) => d < Infinity));
  const largest = Math.max(...values.map(Math.abs));
  return {
    values, hops: dist.map((d) => (d === Infinity ? -1 : d)), radius, nonzero, ball,
    nonzeroCount: count(nonzero), ballCount: count(ball), reachable, largest,
    sameSet: radius === null ? null : nonzero.every((z, i) => z === ball[i]),
  };
}

/** A value as the widget writes it: exactly 0 as "0", anything else to four significant digits. */
export function formatValue(v) {
  return v === 0 ? "0" : v.toPrecision(4);
}

/** The time t as the widget writes it: as given, to six significant digits at most (1, 0.5, 2.25). */
export function formatTime(t) {
  return String(Number(t.toPrecision(6)));
}

// A perceptual ramp (viridis at five stops) for the values, from 0 to the largest.
const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
export function colour(fraction) {
  const f = Math.min(1, Math.max(0, fraction)) * (RAMP.length - 1);
  const k = Math.min(RAMP.length - 2, Math.floor(f));
  const u = f - k;
  const c = RAMP[k].map((a, i) => Math.round(a + u * (RAMP[k + 1][i] - a)));
  return `rgb(${c.join(", ")})`;
}

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 400;
const HEIGHT = 320;
const MARGIN = 14;
const RADIUS = 8.5;

function element(tag, attrs = {}, children = [], ns = null) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  children.forEach((c) => node.appendChild(c));
  return node;
}
const svg = (tag, attrs, children) => element(tag, attrs, children, SVG);

const LABELS = {
  heat: "heat kernel exp(−tL)",
  polynomial: "polynomial (I − L/2)ᴷ",
  gcn: "GCN Âᴸ",
};

function render({ model, el }) {
  const root = element("div", { class: "gfx" });
  const filterButtons = FILTERS.map((f) => element("button", { type: "button", class: "gfx-filter", "data-filter": f, text: LABELS[f] }));
  const sliders = {
    t: element("input", { type: "range", min: "0", max: String(model.get("max_time")), step: "0.1", "aria-label": "time t" }),
    order: element("input", { type: "range", min: "0", max: String(model.get("max_hops")), step: "1", "aria-label": "order K" }),
    layers: element("input", { type: "range", min: "0", max: String(model.get("max_hops")), step: "1", "aria-label": "layers L" }),
  };
  const readouts = { t: element("output", { class: "gfx-value" }), order: element("output", { class: "gfx-value" }), layers: element("output", { class: "gfx-value" }) };
  const names = { t: "time t", order: "order K (hops)", layers: "layers L (hops)" };
  const sliderControls = Object.fromEntries(Object.keys(sliders).map((key) => [key,
    element("label", { class: "gfx-control gfx-param", "data-param": key }, [element("span", { text: names[key] }),
      element("div", { class: "gfx-slider" }, [sliders[key], readouts[key]])])]));
  const controls = element("div", { class: "gfx-controls" }, [
    element("div", { class: "gfx-control", role: "group", "aria-label": "filter" }, [
      element("span", { text: "filter" }), element("div", { class: "gfx-toggle" }, filterButtons)]),
    ...Object.values(sliderControls),
  ]);
  const status = element("p", { class: "gfx-status", "aria-live": "polite" });
  const picture = svg("svg", { class: "gfx-graph", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "group", "aria-label": "graph: click a node to put the impulse there" });
  const edgeLayer = svg("g", { class: "gfx-edges" });
  const nodeLayer = svg("g", { class: "gfx-nodes" });
  picture.append(edgeLayer, nodeLayer);
  const legend = element("div", { class: "gfx-legend" });
  const hint = element("p", { class: "gfx-hint", text: "Click a node to move the impulse. Outlined: the nodes within the filter's K hops of the impulse. Hollow: exactly 0." });
  root.append(controls, status, picture, legend, hint);
  el.appendChild(root);

  // The drawing of the graph itself does not change: positions into the box, edges by weight.
  const positions = model.get("positions");
  const n = positions.length;
  const at = positions.map(([x, y]) => [MARGIN + x * (WIDTH - 2 * MARGIN), MARGIN + (1 - y) * (HEIGHT - 2 * MARGIN)]);
  const edges = model.get("edges");
  const weights = model.get("weights");
  root.dataset.graph = JSON.stringify({ positions, edges, weights }); // what was drawn, for the browser test
  const heaviest = Math.max(...weights, 0);
  edges.forEach(([i, j], e) => {
    if (i === j) return;
    edgeLayer.appendChild(svg("line", { x1: at[i][0].toFixed(2), y1: at[i][1].toFixed(2), x2: at[j][0].toFixed(2), y2: at[j][1].toFixed(2),
      "stroke-width": (0.6 + 2.2 * (heaviest > 0 ? weights[e] / heaviest : 0)).toFixed(2) }));
  });
  const nodes = at.map(([x, y], i) => {
    const title = svg("title");
    const circle = svg("circle", { cx: x.toFixed(2), cy: y.toFixed(2), r: String(RADIUS) });
    const label = svg("text", { x: x.toFixed(2), y: (y + 0.35 * RADIUS).toFixed(2), text: String(i) });
    const group = svg("g", { class: "gfx-node", "data-node": String(i), tabindex: "0", role: "button", "aria-label": `node ${i}` }, [title, circle, label]);
    const place = () => {
      model.set("node", i);
      model.save_changes();
    };
    group.addEventListener("click", place);
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        place();
      }
    });
    nodeLayer.appendChild(group);
    return { group, circle, label, title };
  });

  function state() {
    return {
      n, edges, weights, filter: model.get("filter"), node: model.get("node"), t: model.get("t"),
      order: model.get("order"), layers: model.get("layers"),
    };
  }

  function update() {
    const s = state();
    const r = compute(s);
    filterButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.filter === s.filter)));
    const param = s.filter === "heat" ? "t" : s.filter === "polynomial" ? "order" : "layers";
    for (const key of Object.keys(sliders)) {
      sliderControls[key].hidden = key !== param;
      sliders[key].value = String(s[key]);
    }
    readouts.t.textContent = formatTime(s.t);
    readouts.order.textContent = String(s.order);
    readouts.layers.textContent = String(s.layers);
    nodes.forEach(({ group, circle, label, title }, i) => {
      const v = r.values[i];
      const fraction = r.largest > 0 ? Math.abs(v) / r.largest : 0;
      circle.setAttribute("fill", v === 0 ? "none" : colour(fraction));
      group.classList.toggle("gfx-zero", v === 0);
      group.classList.toggle("gfx-ball", r.ball[i]);
      group.classList.toggle("gfx-impulse", i === s.node);
      group.classList.toggle("gfx-light", v !== 0 && fraction > 0.6);
      group.setAttribute("data-value", formatValue(v));
      const away = r.hops[i] < 0 ? "unreachable" : `${r.hops[i]} hop${r.hops[i] === 1 ? "" : "s"}`;
      title.textContent = `node ${i}: ${formatValue(v)} (${away} from the impulse)`;
      label.textContent = String(i);
    });
    const what = s.filter === "heat" ? `exp(−${formatTime(s.t)} L) δ` : s.filter === "polynomial" ? `(I − L/2)^${s.order} δ` : `Â^${s.layers} δ`;
    let text = `${what}, the impulse δ at node ${s.node}: nonzero at ${r.nonzeroCount} of ${n} nodes, the largest value ${formatValue(r.largest)}.`;
    if (r.radius === null) {
      text += ` The heat kernel is not local: it reaches all ${r.reachable} nodes connected to node ${s.node}, however small t is.`;
    } else {
      const k = r.radius;
      text += ` The ${k}-hop ball of node ${s.node} holds ${r.ballCount} node${r.ballCount === 1 ? "" : "s"}: ${r.sameSet ? "exactly the nonzero ones" : "NOT the nonzero set"}.`;
    }
    status.textContent = text;
    legend.replaceChildren(
      element("span", { text: "0" }),
      element("span", { class: "gfx-ramp", style: `background: linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map(colour).join(", ")})` }),
      element("span", { text: formatValue(r.largest) }),
    );
    root.dataset.state = JSON.stringify({ filter: s.filter, node: s.node, t: s.t, order: s.order, layers: s.layers });
    root.dataset.values = JSON.stringify(r.values);
    root.dataset.nonzero = String(r.nonzeroCount);
    root.dataset.ball = String(r.ballCount);
  }

  filterButtons.forEach((button) => button.addEventListener("click", () => {
    model.set("filter", button.dataset.filter);
    model.save_changes();
  }));
  for (const [key, input] of Object.entries(sliders)) {
    input.addEventListener("input", () => {
      model.set(key, Number(input.value));
      model.save_changes();
    });
  }

  const events = ["filter", "node", "t", "order", "layers"];
  events.forEach((e) => model.on(`change:${e}`, update));
  update();
  return () => events.forEach((e) => model.off(`change:${e}`, update));
}

export default { render };
