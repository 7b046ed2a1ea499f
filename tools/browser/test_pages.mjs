// Check every page of the built (offline) book in headless Chromium, with the network off.
//
// Usage: node tools/browser/test_pages.mjs SITE_DIR SCREENSHOT_DIR
//
// Serves SITE_DIR on 127.0.0.1, blocks every request to any other host, and
// for every page at a desktop and a phone width checks: no JavaScript error
// and no failed or blocked request; all maths typeset by MathJax, with no
// raw $...$, \(...\) or \[...\] left; every image loaded; every widget
// rendered; no display maths, code cell or output cut off or wider than
// the text column unless its box scrolls with a visible scrollbar, and no
// numbered equation under its number. On pages with the space-frequency explorer it changes the
// preset and the mode, checks that the output and the spectrum change, and
// has Python (convbook, through $PYTHON) recompute every output the
// JavaScript showed. On pages with the footprint explorer it adds and removes
// frequency terms, changes the output and the variable differentiated by,
// reads the numbers the widget displays, and has Python recompute them with
// convbook.symbolic.partial_sum_footprints. On pages with the graph filter explorer (the chapter
// Convolution on graphs, book/12_graphs.html, must have one if it is built) it clicks nodes, switches
// filters, moves the sliders, reads the values, outlines and counts the widget displays, and has
// Python recompute them with convbook.widgets.graph_filter_output (convbook.graphs) and check that
// a local filter's nonzero nodes are exactly its K-hop ball. Saves a full-page screenshot of each
// page at each width and ends with the line "N passed, N failed"; exits 1 if any check failed.

import { spawnSync } from "node:child_process";
import { readFileSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, relative, resolve, sep } from "node:path";
import { chromium } from "playwright-core";

const [siteArg, shotsArg] = process.argv.slice(2);
if (!siteArg || !shotsArg) {
  console.error("usage: node test_pages.mjs SITE_DIR SCREENSHOT_DIR");
  process.exit(2);
}
const SITE = resolve(siteArg);
const SHOTS = resolve(shotsArg);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const PYTHON = process.env.PYTHON || "python3";
const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};
const TYPES = {
  ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml", ".woff": "font/woff",
  ".woff2": "font/woff2", ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject", ".txt": "text/plain",
  ".inv": "application/octet-stream",
};

// Errors of the book's toolchain, not of its pages, reported but not counted:
// Jupyter Book 1 writes sphinx-thebe's inline configuration script twice into
// every page, and the second copy fails to redeclare its constant; the theme
// logs an error when a fresh browser has no stored light/dark choice yet.
const KNOWN_UPSTREAM = [/Identifier 'THEBE_JS_URL' has already been declared/, /Got invalid theme mode: \. Resetting to auto/];

let passed = 0;
let failed = 0;
function record(name, problems) {
  if (problems.length === 0) {
    passed++;
    console.log(`PASS ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    problems.forEach((p) => console.log(`     ${p}`));
  }
}

function serve(root) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
    let file = resolve(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const body = readFileSync(file);
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

function pages(root) {
  const top = readdirSync(root).filter((f) => f.endsWith(".html") && f !== "index.html");
  const book = readdirSync(join(root, "book")).filter((f) => f.endsWith(".html")).map((f) => `book/${f}`);
  return [...book.sort(), ...top.sort()];
}

// Everything the page itself can tell about its health, evaluated in the page.
async function inspect(page) {
  await page.evaluate(async () => {
    for (const img of document.images) img.loading = "eager";
    await Promise.all([...document.images].map((img) => img.decode().catch(() => null)));
    if (window.MathJax && window.MathJax.startup) await window.MathJax.startup.promise;
  });
  return page.evaluate(() => {
    const problems = [];
    const warnings = [];
    const mathNodes = [...document.querySelectorAll(".math, span.math, div.math")];
    const untypeset = mathNodes.filter((n) => !n.querySelector("mjx-container") && !n.closest("mjx-container"));
    if (untypeset.length) problems.push(`${untypeset.length} maths elements not typeset, e.g. ${untypeset[0].textContent.slice(0, 60)}`);
    const main = document.querySelector("main, article, body").cloneNode(true);
    main.querySelectorAll("pre, code, script, style, textarea, mjx-container, .highlight, .sfx, .fpx, .gfx").forEach((n) => n.remove());
    const text = main.textContent;
    const raw = text.match(/\\\(|\\\)|\\\[|\\\]|\$\$|\$[^$\s][^$\n]{0,80}\$/);
    if (raw) problems.push(`raw maths left in the text: ${JSON.stringify(text.slice(Math.max(0, raw.index - 30), raw.index + 50))}`);
    const broken = [...document.images].filter((img) => !(img.complete && img.naturalWidth > 0));
    broken.forEach((img) => problems.push(`image not loaded: ${img.getAttribute("src").slice(0, 80)}`));
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    const dead = views.filter((s) => !s.parentElement.querySelector(".jupyter-widgets, .widget-subarea, .sfx, .fpx, .gfx"));
    if (dead.length) problems.push(`${dead.length} of ${views.length} widgets not rendered`);
    // Punctuation right after inline maths must not wrap onto the next line on its own.
    const detached = [];
    for (const span of document.querySelectorAll("span.math")) {
      const next = span.nextSibling;
      if (!next || next.nodeType !== Node.TEXT_NODE || !/^[.,;:!?)]/.test(next.textContent)) continue;
      const rects = span.getClientRects();
      const range = document.createRange();
      range.setStart(next, 0);
      range.setEnd(next, 1);
      const mark = range.getBoundingClientRect();
      if (!rects.length || mark.height === 0) continue; // not displayed (a closed dropdown)
      if (mark.top >= rects[rects.length - 1].bottom - 1) detached.push(`${span.textContent.slice(0, 30)}${next.textContent[0]}`);
    }
    if (detached.length) problems.push(`${detached.length} punctuation marks wrapped away from their inline maths, e.g. ${JSON.stringify(detached[0])}`);
    const wide = document.documentElement.scrollWidth - window.innerWidth;
    if (wide > 1) warnings.push(`the page scrolls sideways by ${wide}px`);
    return { problems, warnings, widgets: views.length, explorers: document.querySelectorAll(".sfx").length,
      footprints: document.querySelectorAll(".fpx").length, graphs: document.querySelectorAll(".gfx").length };
  });
}

// Nothing a reader must see may be cut off or run past the text column:
// every MathJax display and every code cell's input and output must fit in
// its box, and in every box above it, unless the box that stops it scrolls
// (overflow-x auto or scroll) and shows a scrollbar a reader can see; content
// pushed out to the left is never reachable by scrolling, so it always
// counts. At desktop width no equation may need scrolling at all. A
// numbered equation's maths must not run under its number.
// Returns one line per violation, with a snippet of the element.
function clippingProblems() {
  const problems = [];
  const column = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const snippet = (el) => JSON.stringify((el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60));
  const describe = (el) => `<${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? ` class="${el.className.split(" ").slice(0, 2).join(" ")}"` : ""}>`;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  // The box the content of `el` can be seen in: its padding box.
  const inner = (el) => {
    const r = el.getBoundingClientRect();
    const left = r.left + el.clientLeft;
    return { left, right: left + el.clientWidth, top: r.top + el.clientTop, bottom: r.top + el.clientTop + el.clientHeight };
  };
  // A scrollbar a reader can see takes room below the content and is painted
  // in a colour the page chose. The platform's own scrollbar cannot be relied
  // on: on phones and macOS it is an overlay, hidden until touched, and headless
  // Chromium paints its classic one near-white on white.
  const visibleScrollbar = (el) => {
    const cs = getComputedStyle(el);
    const borders = parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth);
    const room = el.offsetHeight - borders - el.clientHeight > 0;
    const thumb = getComputedStyle(el, "::-webkit-scrollbar-thumb").backgroundColor;
    const painted = cs.scrollbarColor !== "auto" || !/^(transparent|rgba\(.*, 0\))$/.test(thumb);
    return room && painted;
  };
  // Follow `rect` (the extent of what `el` holds) up through every box that
  // clips; return why it is hidden, or null if the reader can see or scroll to all of it.
  function hidden(el, rect) {
    for (let box = el; box && box !== document.documentElement; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      const atColumn = box === column;
      if (overflow === "visible" && !atColumn) continue;
      const b = inner(box);
      const pastLeft = b.left - rect.left;
      const pastRight = rect.right - b.right;
      if (pastLeft <= 1 && pastRight <= 1) { if (atColumn) return null; continue; }
      if (pastLeft > 1) return `${Math.round(pastLeft)}px cut off on the left by ${describe(box)}`;
      if (overflow === "auto" || overflow === "scroll") {
        if (!visibleScrollbar(box)) return `${Math.round(pastRight)}px past ${describe(box)}, which scrolls with no visible scrollbar`;
        rect = box.getBoundingClientRect(); // it scrolls: now the scroller itself must fit
        if (atColumn) return null;
        continue;
      }
      return `${Math.round(pastRight)}px ${atColumn ? "wider than the text column" : `cut off on the right by ${describe(box)} (overflow-x: ${overflow})`}`;
    }
    const pastRight = rect.right - window.innerWidth;
    return pastRight > 1 ? `${Math.round(pastRight)}px past the window` : null;
  }
  // What an element holds, as a rectangle: its scroll width from its left edge.
  const extent = (el, content) => {
    const r = (content || el).getBoundingClientRect();
    if (content) return { left: r.left, right: r.right };
    const b = inner(el);
    return { left: Math.min(r.left, b.left), right: Math.max(r.right, b.left + el.scrollWidth) };
  };
  for (const mjx of document.querySelectorAll('mjx-container[display="true"]')) {
    const math = mjx.querySelector("mjx-math") || mjx;
    // At desktop width there is room for every equation: one that would
    // need scrolling there is to be broken into lines at the source.
    const desktop = window.innerWidth >= 1000;
    const needs = math.getBoundingClientRect().right - inner(mjx).right;
    const why = desktop && needs > 1 ? `${Math.round(needs)}px wider than its box at desktop width (break it with aligned or split)`
      : hidden(mjx, extent(mjx, math));
    if (why) problems.push(`maths display ${why}: ${snippet(mjx.querySelector("mjx-assistive-mml") || mjx).slice(0, 70)}`);
    const eqno = mjx.closest("div.math")?.querySelector(":scope > span.eqno");
    if (eqno) {
      const m = math.getBoundingClientRect();
      const v = inner(mjx);
      const seen = { left: Math.max(m.left, v.left), right: Math.min(m.right, v.right), top: Math.max(m.top, v.top), bottom: Math.min(m.bottom, v.bottom) };
      const n = eqno.getBoundingClientRect();
      const overlap = Math.min(seen.right, n.right) - Math.max(seen.left, n.left);
      const vertical = Math.min(seen.bottom, n.bottom) - Math.max(seen.top, n.top);
      if (overlap > 1 && vertical > 1) problems.push(`equation ${eqno.textContent.replace("#", "").trim()} runs ${Math.round(overlap)}px under its number: ${snippet(mjx.querySelector("mjx-assistive-mml") || mjx)}`);
    }
  }
  const cells = document.querySelectorAll(".cell_input pre, .cell_output pre, .cell_output table, .cell_output img");
  for (const el of cells) {
    const kind = el.closest(".cell_input") ? "code cell input" : "code cell output";
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue; // hidden (collapsed) cells
    const wide = el.scrollWidth - el.clientWidth;
    if (wide > 1 && !scrolls(el)) { problems.push(`${kind} ${wide}px wider than its box (overflow-x: ${getComputedStyle(el).overflowX}): ${snippet(el)}`); continue; }
    const why = hidden(el, extent(el));
    if (why) problems.push(`${kind} ${why}: ${snippet(el)}`);
  }
  return problems;
}

function explorerState(page, index) {
  return page.evaluate((i) => {
    const d = document.querySelectorAll(".sfx")[i].dataset;
    return { state: JSON.parse(d.state), output: JSON.parse(d.output), spectrum: JSON.parse(d.spectrum),
      maxDiff: Number(d.maxDiff) };
  }, index);
}

// Change the explorer's preset and mode as a reader would, and collect what it showed.
async function exercise(page, index, samples) {
  const problems = [];
  const root = page.locator(".sfx").nth(index);
  const before = await explorerState(page, index);
  samples.push(before);
  const select = root.locator('select[aria-label="signal preset"]');
  const other = before.state.preset === "impulse" ? "step" : "impulse";
  await select.selectOption(other);
  const afterPreset = await explorerState(page, index);
  samples.push(afterPreset);
  if (JSON.stringify(afterPreset.output) === JSON.stringify(before.output)) problems.push(`preset ${other}: the output did not change`);
  if (JSON.stringify(afterPreset.spectrum) === JSON.stringify(before.spectrum)) problems.push(`preset ${other}: the spectrum did not change`);
  const mode = before.state.mode === "linear" ? "cyclic" : "linear";
  await root.locator(`button[data-mode="${mode}"]`).click();
  const afterMode = await explorerState(page, index);
  samples.push(afterMode);
  if (afterMode.state.mode !== mode) problems.push(`the ${mode} button did not switch the mode`);
  if (afterMode.output.length === afterPreset.output.length) problems.push(`mode ${mode}: the output length did not change`);
  for (const s of [before, afterPreset, afterMode]) {
    if (!(s.maxDiff < 1e-9)) problems.push(`|F y| differs from |F x| |F h| by ${s.maxDiff}`);
  }
  return problems;
}

// One Python run recomputes every output the JavaScript showed, with convbook.
function checkWithPython(samples) {
  const script = `
import json, sys
import numpy as np
from convbook import widgets
worst = 0.0
for s in json.load(sys.stdin):
    st = s["state"]
    y = widgets.explorer_output(st["signal"], st["taps"], st["mode"], st["length"])
    _, _, fy = widgets.explorer_spectra(st["signal"], st["taps"], st["mode"], st["length"])
    if len(s["output"]) != y.size or len(s["spectrum"]) != fy.size:
        print("shape mismatch", len(s["output"]), y.size); sys.exit(1)
    worst = max(worst, float(np.abs(np.array(s["output"]) - y).max()), float(np.abs(np.array(s["spectrum"]) - fy).max()))
print(worst)
`;
  const run = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(samples), encoding: "utf8" });
  if (run.status !== 0) return [`python failed: ${(run.stdout + run.stderr).slice(-400)}`];
  const worst = Number(run.stdout.trim());
  console.log(`     largest difference between the JavaScript and convbook: ${worst.toExponential(1)}`);
  return worst < 1e-9 ? [] : [`the JavaScript output differs from convbook by ${worst}`];
}

// What the footprint explorer shows: its state, its numbers in full, and the numbers written in its cells.
function footprintState(page, index) {
  return page.evaluate((i) => {
    const root = document.querySelectorAll(".fpx")[i];
    const d = root.dataset;
    const cells = [...root.querySelectorAll(".fpx-grid:not(.fpx-freq) .fpx-cell")];
    return { state: JSON.parse(d.state), re: JSON.parse(d.re), im: JSON.parse(d.im), maxDiff: Number(d.maxDiff),
      shown: cells.map((c) => c.querySelector(".fpx-value").textContent),
      green: cells.map((c) => c.classList.contains("fpx-target")),
      termsText: root.querySelector(".fpx-terms-value").textContent, status: root.querySelector(".fpx-status").textContent };
  }, index);
}

// Drive the footprint explorer as a reader would: terms up and down, another output, the other variable.
async function exerciseFootprint(page, index, samples) {
  const problems = [];
  const root = page.locator(".fpx").nth(index);
  const slider = root.locator('input[aria-label="frequency terms"]');
  const take = async (what) => {
    const s = await footprintState(page, index);
    samples.push(s);
    if (s.termsText !== `${s.state.terms} of ${s.state.imageShape[0] * s.state.imageShape[1]}`) problems.push(`${what}: the terms shown read ${JSON.stringify(s.termsText)}, the state ${s.state.terms}`);
    return s;
  };
  const before = await take("at first");
  await root.locator('button[aria-label="one term more"]').click();
  const plus = await take("after +");
  if (plus.state.terms !== before.state.terms + 1) problems.push(`+ took the terms from ${before.state.terms} to ${plus.state.terms}`);
  if (JSON.stringify(plus.shown) === JSON.stringify(before.shown)) problems.push("+: the displayed footprint did not change");
  await slider.press("End");
  const all = await take("all terms");
  const total = all.state.imageShape[0] * all.state.imageShape[1];
  if (all.state.terms !== total) problems.push(`End on the slider gave ${all.state.terms} terms, not ${total}`);
  if (!(all.maxDiff < 1e-12)) problems.push(`after all terms the footprint is ${all.maxDiff} away from the spatial derivative`);
  const left = all.shown.filter((v) => v !== "0").length;
  const green = all.shown.filter((v, p) => all.green[p]);
  if (left !== green.length || green.some((v) => v !== "1.00")) problems.push(`after all terms ${left} cells show a nonzero number, and the green ones ${JSON.stringify(green)}`);
  const output = root.locator('select[aria-label="output"]');
  const last = await output.locator("option").last().getAttribute("value");
  await output.selectOption(last);
  const moved = await take("another output");
  if (moved.state.output.join(",") !== last) problems.push(`the output select gave ${moved.state.output}, not ${last}`);
  if (JSON.stringify(moved.green) === JSON.stringify(all.green)) problems.push("another output: the spatial derivative did not move");
  await slider.press("Home");
  const one = await take("one term");
  if (one.state.terms !== 1 || new Set(one.shown).size !== 1) problems.push(`one term: ${one.state.terms} terms, cells ${[...new Set(one.shown)]}`);
  const wrt = before.state.wrt === "w" ? "x" : "w";
  await root.locator(`button[data-wrt="${wrt}"]`).click();
  const other = await take(`by ${wrt}`);
  if (other.state.wrt !== wrt) problems.push(`the ${wrt} button did not switch the variable`);
  if (other.shown.length === one.shown.length) problems.push(`by ${wrt}: the footprint kept its ${one.shown.length} cells`);
  await root.locator('button[aria-label="one term more"]').click();
  await take(`by ${wrt}, two terms`);
  await slider.press("End");
  await take(`by ${wrt}, all terms`);
  return problems;
}

// One Python run recomputes every footprint the JavaScript showed, and the numbers it wrote, with convbook.
function checkFootprintsWithPython(samples) {
  const script = `
import json, sys
import numpy as np
from convbook import bttb_matrix, symbolic
worst, shown_worst, problems = 0.0, 0.0, []
for s in json.load(sys.stdin):
    st = s["state"]
    sums = symbolic.partial_sum_footprints(st["output"], st["variable"], st["wrt"], st["imageShape"], st["kernelShape"])
    ref = sums[st["terms"] - 1].ravel()
    if len(s["re"]) != ref.size or len(s["shown"]) != ref.size:
        problems.append(f"{st}: {len(s['re'])} numbers, {len(s['shown'])} shown, convbook has {ref.size}")
        continue
    worst = max(worst, float(np.abs(np.array(s["re"]) + 1j * np.array(s["im"]) - ref).max()))
    shown = np.array([float(v) for v in s["shown"]])
    # three significant digits: within half a unit of the third; the zeros of the cancellation within rounding
    mag = np.abs(ref)
    half_unit = np.where(mag > 5e-13, 0.5 * 10.0 ** (np.floor(np.log10(np.maximum(mag, 1e-300))) - 2), 0) + 1e-12
    gap = np.abs(shown - mag) - half_unit
    shown_worst = max(shown_worst, float(np.abs(shown - np.abs(ref)).max()))
    if (gap > 0).any():
        problems.append(f"{st}: the cells show {s['shown']}, convbook has {np.abs(ref).round(4).tolist()}")
    if st["terms"] == sums.shape[0]:
        # the spatial derivative, from the BTTB matrix of a unit kernel
        (M, N), (K, L) = st["imageShape"], st["kernelShape"]
        n = st["output"][0] * (N - L + 1) + st["output"][1]
        if st["wrt"] == "w":
            unit = np.zeros((K, L)); unit[tuple(st["variable"])] = 1
            spatial = bttb_matrix(unit, (M, N))[n]
        else:
            p = st["variable"][0] * N + st["variable"][1]
            spatial = np.array([bttb_matrix(np.eye(K * L)[a].reshape(K, L), (M, N))[n, p] for a in range(K * L)])
        if np.abs(ref - spatial).max() > 1e-12 or s["green"] != (spatial == 1).tolist():
            problems.append(f"{st}: all terms do not end at the spatial derivative {spatial.tolist()}")
print(json.dumps({"worst": worst, "shown": shown_worst, "problems": problems}))
`;
  const run = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(samples), encoding: "utf8" });
  if (run.status !== 0) return [`python failed: ${(run.stdout + run.stderr).slice(-400)}`];
  const { worst, shown, problems } = JSON.parse(run.stdout.trim());
  console.log(`     largest difference between the footprints in JavaScript and convbook: ${worst.toExponential(1)}; between the numbers shown and convbook: ${shown.toExponential(1)}`);
  return worst < 1e-12 ? problems : [...problems, `the JavaScript footprints differ from convbook by ${worst}`];
}

// The page of the chapter Convolution on graphs, which must show the graph filter explorer.
const GRAPH_PAGE = "book/12_graphs.html";

// What the graph filter explorer shows: its state, its values in full, and what each node displays.
function graphState(page, index) {
  return page.evaluate((i) => {
    const root = document.querySelectorAll(".gfx")[i];
    const d = root.dataset;
    const nodes = [...root.querySelectorAll(".gfx-node")];
    const visible = (el) => !el.closest("[hidden]");
    return { state: JSON.parse(d.state), values: JSON.parse(d.values), graph: JSON.parse(d.graph),
      shown: nodes.map((g) => g.dataset.value), titles: nodes.map((g) => g.querySelector("title").textContent),
      outlined: nodes.map((g) => g.classList.contains("gfx-ball")), hollow: nodes.map((g) => g.classList.contains("gfx-zero")),
      impulse: nodes.map((g) => g.classList.contains("gfx-impulse")), status: root.querySelector(".gfx-status").textContent,
      pressed: [...root.querySelectorAll(".gfx-filter")].filter((b) => b.getAttribute("aria-pressed") === "true").map((b) => b.dataset.filter),
      sliders: [...root.querySelectorAll(".gfx-param")].filter(visible).map((c) => c.dataset.param) };
  }, index);
}

// Drive the graph filter explorer as a reader would: click nodes, switch filters, move the sliders.
async function exerciseGraph(page, index, samples) {
  const problems = [];
  const root = page.locator(".gfx").nth(index);
  const param = { heat: "t", polynomial: "order", gcn: "layers" };
  const take = async (what) => {
    const s = await graphState(page, index);
    samples.push(s);
    const n = s.values.length;
    if (s.pressed.join() !== s.state.filter) problems.push(`${what}: the buttons pressed are ${s.pressed}, the filter ${s.state.filter}`);
    if (s.sliders.join() !== param[s.state.filter]) problems.push(`${what}: the sliders shown are ${s.sliders}, for the ${s.state.filter} filter`);
    if (s.impulse.indexOf(true) !== s.state.node || s.impulse.filter(Boolean).length !== 1) problems.push(`${what}: the impulse is marked on ${s.impulse.indexOf(true)}, the state says ${s.state.node}`);
    const nonzero = s.shown.filter((v) => v !== "0").length;
    if (!s.status.includes(`nonzero at ${nonzero} of ${n} nodes`)) problems.push(`${what}: ${nonzero} nodes show a nonzero value, the status reads ${JSON.stringify(s.status)}`);
    if (s.hollow.some((h, i) => h !== (s.shown[i] === "0"))) problems.push(`${what}: the hollow nodes are not the ones that show 0`);
    if (s.titles.some((t, i) => !t.startsWith(`node ${i}: ${s.shown[i]} `))) problems.push(`${what}: a tooltip disagrees with its node's value, e.g. ${s.titles[0]}`);
    if (s.state.filter !== "heat") {
      const outlined = s.outlined.filter(Boolean).length;
      const k = s.state[param[s.state.filter]];
      if (!s.status.includes(`The ${k}-hop ball of node ${s.state.node} holds ${outlined} node`)) problems.push(`${what}: ${outlined} nodes outlined, the status reads ${JSON.stringify(s.status)}`);
      if (s.outlined.some((o, i) => o !== (s.shown[i] !== "0"))) problems.push(`${what}: the outlined nodes are not the nonzero ones`);
    } else if (s.outlined.some(Boolean)) problems.push(`${what}: nodes outlined for the heat kernel, which has no ball`);
    return s;
  };
  const click = (node) => root.locator(`.gfx-node[data-node="${node}"]`).click();
  const slider = (key) => root.locator(`.gfx-param[data-param="${key}"] input`);
  const before = await take("at first");
  const target = before.state.node === 33 ? 0 : 33;
  await click(target);
  const moved = await take(`impulse at ${target}`);
  if (moved.state.node !== target) problems.push(`clicking node ${target} put the impulse at ${moved.state.node}`);
  if (JSON.stringify(moved.values) === JSON.stringify(before.values)) problems.push("another node: the values did not change");
  await root.locator('.gfx-filter[data-filter="heat"]').click();
  await slider("t").press("ArrowRight");
  const later = await take("t one step on");
  if (!(Math.abs(later.state.t - moved.state.t - 0.1) < 1e-9) && moved.state.t < 20) problems.push(`ArrowRight took t from ${moved.state.t} to ${later.state.t}`);
  if (later.shown.includes("0")) problems.push("the heat kernel shows an exact 0 on a connected graph");
  await root.locator('.gfx-filter[data-filter="polynomial"]').click();
  await slider("order").press("Home");
  const zero = await take("polynomial, K = 0");
  if (zero.state.order !== 0 || zero.shown.filter((v) => v !== "0").length !== 1) problems.push(`K = 0: ${zero.shown.filter((v) => v !== "0").length} nonzero nodes, not the impulse alone`);
  let previous = zero.outlined.filter(Boolean).length;
  for (let k = 1; k <= 3; k++) {
    await slider("order").press("ArrowRight");
    const s = await take(`polynomial, K = ${k}`);
    const count = s.outlined.filter(Boolean).length;
    if (s.state.order !== k || count <= previous) problems.push(`K = ${k}: order ${s.state.order}, ${count} nodes outlined after ${previous}`);
    previous = count;
  }
  await click(16);
  await take("polynomial, impulse at 16");
  await root.locator('.gfx-filter[data-filter="gcn"]').click();
  const gcn = await take("GCN");
  if (gcn.state.filter !== "gcn") problems.push(`the GCN button gave the filter ${gcn.state.filter}`);
  await slider("layers").press("End");
  const deep = await take("GCN, the most layers");
  if (deep.shown.includes("0")) problems.push(`${deep.state.layers} GCN layers, past the diameter, still leave a node at 0`);
  await slider("layers").press("Home");
  await slider("layers").press("ArrowRight");
  await take("GCN, one layer");
  return problems;
}

// One Python run recomputes every value the graph filter explorer showed, with convbook.
function checkGraphsWithPython(samples) {
  const script = `
import json, sys
import numpy as np
from convbook import graphs, widgets
reference = widgets.GraphFilterExplorer()
adjacency, _ = graphs.karate_club()
worst, problems = 0.0, []
for s in json.load(sys.stdin):
    st, g = s["state"], s["graph"]
    if g["edges"] != reference.edges or g["weights"] != reference.weights or not np.allclose(g["positions"], reference.positions, rtol=0, atol=1e-12):
        problems.append("the page does not draw the karate club at the seeded layout of convbook.widgets.graph_layout")
        continue
    ref = widgets.graph_filter_output(adjacency, st["node"], st["filter"], st["t"], st["order"], st["layers"])
    worst = max(worst, float(np.abs(np.array(s["values"]) - ref).max()))
    shown = np.array([float(v) for v in s["shown"]])
    # four significant digits; a local filter's exact zeros shown as 0, and only those
    local = st["filter"] != "heat"
    if np.any(np.abs(shown - ref) > 5e-4 * np.abs(ref) + 1e-13) or (local and np.any((shown == 0) != (ref == 0))):
        problems.append(f"{st}: the nodes show {s['shown']}, convbook has {ref.tolist()}")
    if st["filter"] != "heat":
        k = st["order"] if st["filter"] == "polynomial" else st["layers"]
        ball = widgets.graph_hops(adjacency, st["node"]) <= k
        if s["outlined"] != ball.tolist() or not np.array_equal(ref != 0, ball):
            problems.append(f"{st}: outlined {int(sum(s['outlined']))} nodes, the {k}-hop ball has {int(ball.sum())}, convbook's nonzero set {int((ref != 0).sum())}")
print(json.dumps({"worst": worst, "problems": problems}))
`;
  const run = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(samples), encoding: "utf8" });
  if (run.status !== 0) return [`python failed: ${(run.stdout + run.stderr).slice(-400)}`];
  const { worst, problems } = JSON.parse(run.stdout.trim());
  console.log(`     largest difference between the graph filters in JavaScript and convbook: ${worst.toExponential(1)}`);
  return worst < 1e-13 ? problems : [...problems, `the JavaScript graph filters differ from convbook by ${worst}`];
}

async function main() {
  const started = Date.now();
  mkdirSync(SHOTS, { recursive: true });
  const server = await serve(SITE);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: false, // the --headless flag below does it, exactly as given
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const samples = [];
  const footprintSamples = [];
  const graphSamples = [];
  const known = new Set();
  let explorers = 0;
  let footprints = 0;
  let graphs = 0;
  const graphPage = pages(SITE).includes(GRAPH_PAGE);
  try {
    for (const [width, options] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext(options);
      const blocked = [];
      await context.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === "127.0.0.1") return route.continue();
        blocked.push(url.href);
        return route.abort("blockedbyclient");
      });
      if (width === "desktop") {
        const page = await context.newPage();
        await page.goto(`${origin}/index.html`);
        await page.waitForURL(/book\/intro\.html/, { timeout: 10000 }).catch(() => null);
        record("index.html redirects to the first page", page.url().includes("book/intro.html") ? [] : [`ended at ${page.url()}`]);
        await page.close();
      }
      for (const name of pages(SITE)) {
        const page = await context.newPage();
        const problems = [];
        blocked.length = 0;
        page.on("pageerror", (err) => {
          if (KNOWN_UPSTREAM.some((re) => re.test(err.message))) known.add(err.message);
          else problems.push(`JavaScript error: ${err.message.slice(0, 200)}`);
        });
        page.on("console", (msg) => {
          if (msg.type() !== "error") return;
          if (KNOWN_UPSTREAM.some((re) => re.test(msg.text()))) known.add(msg.text());
          else problems.push(`console error: ${msg.text().slice(0, 200)}`);
        });
        page.on("requestfailed", (req) => {
          if (new URL(req.url()).hostname === "127.0.0.1") problems.push(`request failed: ${req.url()}`);
        });
        page.on("response", (res) => res.status() >= 400 && problems.push(`HTTP ${res.status()}: ${res.url()}`));
        await page.goto(`${origin}/${name}`, { waitUntil: "load" });
        await page.waitForLoadState("networkidle").catch(() => null);
        const views = await page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count();
        if (views > 0) {
          await page.waitForFunction(() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
            .every((s) => s.parentElement.querySelector(".jupyter-widgets, .widget-subarea, .sfx, .fpx, .gfx")), null, { timeout: 20000 })
            .catch(() => null);
        }
        const report = await inspect(page);
        problems.push(...report.problems);
        const clipped = await page.evaluate(clippingProblems);
        report.warnings.forEach((w) => console.log(`WARN ${name} (${width}): ${w}`));
        const file = `${name.replace(/\//g, "_").replace(/\.html$/, "")}-${width}.png`;
        await page.screenshot({ path: join(SHOTS, file), fullPage: true });
        for (let i = 0; i < report.explorers; i++) {
          const widgetProblems = await exercise(page, i, samples);
          record(`${name} (${width}): explorer ${i + 1} responds to its preset and mode`, widgetProblems);
          explorers++;
        }
        for (let i = 0; i < report.footprints; i++) {
          const widgetProblems = await exerciseFootprint(page, i, footprintSamples);
          record(`${name} (${width}): footprint explorer ${i + 1} responds to its terms, output and variable`, widgetProblems);
          footprints++;
        }
        for (let i = 0; i < report.graphs; i++) {
          const widgetProblems = await exerciseGraph(page, i, graphSamples);
          record(`${name} (${width}): graph filter explorer ${i + 1} responds to clicks, filters and sliders`, widgetProblems);
          graphs++;
        }
        if (name === GRAPH_PAGE && report.graphs === 0) problems.push("no graph filter explorer (.gfx) on the chapter Convolution on graphs");
        blocked.forEach((url) => problems.push(`request to another host (blocked): ${url.slice(0, 120)}`));
        record(`${name} (${width}): loads offline, no errors, maths typeset, images and widgets shown`, problems);
        record(`${name} (${width}): no maths or code cut off, hidden or wider than the column`, clipped);
        await page.close();
      }
      await context.close();
    }
    known.forEach((message) => console.log(`KNOWN upstream error, not counted: ${message}`));
    if (explorers > 0) record(`the explorer's ${samples.length} outputs equal convbook's`, checkWithPython(samples));
    if (footprints > 0) record(`the footprint explorer's ${footprintSamples.length} footprints, and the numbers it showed, equal convbook's`, checkFootprintsWithPython(footprintSamples));
    else record("the footprint explorer was found on some page", ["no page has a .fpx widget"]);
    if (graphs > 0) record(`the graph filter explorer's ${graphSamples.length} views equal convbook's, nonzero exactly on the K-hop balls`, checkGraphsWithPython(graphSamples));
    if (!graphPage) console.log(`WARN ${GRAPH_PAGE} is not in this build: the graph filter explorer was not checked there`);
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`screenshots in ${relative(process.cwd(), SHOTS) || "."}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
