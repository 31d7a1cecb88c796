#!/usr/bin/env node
// The README's picture of a blocked pull request: the `changegate` check run of `npm run demo`,
// drawn the way GitHub lays out a check run (title, button, the summary's Markdown, annotations).
//
//   npm run picture   runs the App demo with --record docs/blocked-pull-request.json (the check run
//                     the local GitHub recorded when the agent's pull request was held), then draws
//                     docs/blocked-pull-request.svg from it
//
// The drawing is plain SVG text (no fonts or HTML embedded), laid out from estimated glyph widths.
// test/e2e/demo.test.ts fails when the demo's check run no longer matches the recorded JSON, and
// test/scripts/check-run-picture.test.ts when the SVG is not the drawing of that JSON.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const RECORD_PATH = join(root, "docs", "blocked-pull-request.json");
export const PICTURE_PATH = join(root, "docs", "blocked-pull-request.svg");

const WIDTH = 960;
const PAD = 24;
const FONT = `-apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif`;
const MONO = `ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace`;
const COLOR = { text: "#1f2328", muted: "#59636e", border: "#d1d9e0", link: "#0969da", code: "#6639ba", headBg: "#f6f8fa", warn: "#9a6700", fail: "#d1242f", button: "#f6f8fa" };

/** Estimated advance of one character at `size` px (a conservative average; wide glyphs count double). */
function advance(ch, size, style) {
  if (style === "code") return size * 0.62;
  if (/[\u2300-\u23ff\u2600-\u27bf\u{1f300}-\u{1faff}]/u.test(ch)) return size * 1.25;
  if (/[iljtfI.,:;'|!() ]/.test(ch)) return size * (style === "bold" ? 0.36 : 0.33);
  if (/[mwMW@]/.test(ch)) return size * 0.9;
  if (/[A-Z]/.test(ch)) return size * (style === "bold" ? 0.76 : 0.72);
  return size * (style === "bold" ? 0.64 : 0.6);
}

function measure(text, size, style) {
  let w = 0;
  for (const ch of text) w += advance(ch, size, style);
  return w;
}

function esc(text) {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Inline Markdown as the summary uses it: **bold**, `code`, [links](…). */
function inline(markdown) {
  const runs = [];
  const pattern = /\*\*(.+?)\*\*|`([^`]+)`|\[([^\]]+)\]\([^)]*\)/g;
  let last = 0;
  for (const m of markdown.matchAll(pattern)) {
    if (m.index > last) runs.push({ text: markdown.slice(last, m.index), style: "normal" });
    if (m[1] !== undefined) runs.push(...inline(m[1]).map((r) => ({ ...r, style: r.style === "normal" ? "bold" : r.style })));
    else if (m[2] !== undefined) runs.push({ text: m[2], style: "code" });
    else runs.push(...inline(m[3]).map((r) => ({ ...r, link: true })));
    last = m.index + m[0].length;
  }
  if (last < markdown.length) runs.push({ text: markdown.slice(last), style: "normal" });
  return runs;
}

/** Breaks runs into lines no wider than `width`: an array of lines, each an array of positioned pieces. */
function wrap(runs, width, size) {
  const lines = [[]];
  let x = 0;
  for (const run of runs) {
    for (const word of run.text.split(/(?<= )/)) {
      const w = measure(word, size, run.style);
      if (x + w > width && x > 0) {
        lines.push([]);
        x = 0;
        if (word.trim() === "") continue;
      }
      lines.at(-1).push({ ...run, text: word, x, w });
      x += w;
    }
  }
  return lines;
}

/** One line of text: one <text> whose pieces are tspans, so the viewer's font sets the spacing. */
function drawLine(pieces, x0, y, size) {
  if (pieces.length === 0) return [];
  const merged = [];
  for (const p of pieces) {
    const last = merged.at(-1);
    if (last && last.style === p.style && Boolean(last.link) === Boolean(p.link)) last.text += p.text;
    else merged.push({ ...p });
  }
  const spans = merged.map((p) => {
    if (p.style === "code") return `<tspan font-family='${MONO}' font-size="${size - 1}" fill="${COLOR.code}">${esc(p.text)}</tspan>`;
    const weight = p.style === "bold" ? ` font-weight="600"` : "";
    return `<tspan${weight}${p.link ? ` fill="${COLOR.link}"` : ""}>${esc(p.text)}</tspan>`;
  });
  return [`<text x="${x0.toFixed(1)}" y="${y}" font-size="${size}" fill="${COLOR.text}" xml:space="preserve">${spans.join("")}</text>`];
}

/** Draws the summary's Markdown from `top`; returns the elements and the height used. */
function drawMarkdown(markdown, left, width, top) {
  const out = [];
  let y = top;
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, "").split("\n");
  const text = (runs, x, w, size = 14, lineHeight = 21) => {
    for (const line of wrap(runs, w, size)) {
      y += lineHeight;
      out.push(...drawLine(line, x, y - 6, size));
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") {
      y += 8;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      y += 10;
      text(inline(heading[2]).map((r) => ({ ...r, style: r.style === "code" ? "code" : "bold" })), left, width, 17, 26);
      out.push(`<rect x="${left}" y="${y + 2}" width="${width}" height="1" fill="${COLOR.border}"/>`);
      y += 8;
      continue;
    }
    if (/^\|.*\|\s*$/.test(line) && /^\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? "")) {
      const rows = [line];
      i += 2;
      while (i < lines.length && /^\|.*\|\s*$/.test(lines[i])) rows.push(lines[i++]);
      i--;
      const cells = rows.map((r) => r.trim().slice(1, -1).split("|").map((c) => inline(c.trim())));
      const natural = cells[0].map((_, c) => Math.max(...cells.map((r) => (r[c] ?? []).reduce((w, run) => w + measure(run.text, 14, r === cells[0] ? "bold" : run.style), 0))) + 26);
      const total = natural.reduce((a, b) => a + b, 0);
      const widths = natural.map((w) => (total > width ? (w / total) * width : w));
      const tableWidth = widths.reduce((a, b) => a + b, 0);
      cells.forEach((row, r) => {
        const wrapped = row.map((runs, c) => wrap(r === 0 ? runs.map((x) => ({ ...x, style: "bold" })) : runs, widths[c] - 26, 14));
        const height = Math.max(...wrapped.map((w) => w.length)) * 21 + 14;
        out.push(`<rect x="${left}" y="${y}" width="${tableWidth.toFixed(1)}" height="${height}" fill="${r === 0 || r % 2 === 0 ? COLOR.headBg : "#ffffff"}" stroke="${COLOR.border}"/>`);
        let x = left;
        wrapped.forEach((cellLines, c) => {
          if (c > 0) out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="1" height="${height}" fill="${COLOR.border}"/>`);
          cellLines.forEach((pieces, n) => out.push(...drawLine(pieces, x + 13, y + 7 + (n + 1) * 21 - 6, 14)));
          x += widths[c];
        });
        y += height;
      });
      y += 8;
      continue;
    }
    const item = /^(\s*)[-*] (.*)$/.exec(line);
    if (item) {
      const depth = Math.floor(item[1].length / 2);
      const x = left + 18 + depth * 22;
      out.push(`<circle cx="${x - 10}" cy="${y + 11}" r="${depth === 0 ? 2.5 : 2}" fill="${depth === 0 ? COLOR.text : "none"}" stroke="${COLOR.text}"/>`);
      text(inline(item[2]), x, width - (x - left), 14, 21);
      y += 2;
      continue;
    }
    text(inline(line), left, width);
  }
  return { out, height: y - top };
}

/** The SVG of a recorded check run (the JSON `npm run demo -- --record` writes). */
export function renderCheckRunPicture(record) {
  const run = record.check_run;
  const body = [];
  const inner = WIDTH - 2 * PAD;
  let y = PAD;

  // The pull request's header line and the check's name, as on GitHub's Checks tab.
  body.push(`<text x="${PAD}" y="${y + 14}" font-size="13" fill="${COLOR.muted}">${esc(`${record.repository} · pull request #${record.pull.number} by ${record.pull.author}: ${record.pull.title}`)}</text>`);
  y += 30;
  const pending = run.conclusion === "action_required";
  const mark = pending ? COLOR.warn : run.conclusion === "success" ? "#1a7f37" : COLOR.fail;
  body.push(`<circle cx="${PAD + 9}" cy="${y + 12}" r="9" fill="none" stroke="${mark}" stroke-width="2"/>`);
  body.push(pending ? `<rect x="${PAD + 6}" y="${y + 7}" width="2" height="10" fill="${mark}"/><rect x="${PAD + 10}" y="${y + 7}" width="2" height="10" fill="${mark}"/>` : `<circle cx="${PAD + 9}" cy="${y + 12}" r="4" fill="${mark}"/>`);
  body.push(`<text x="${PAD + 28}" y="${y + 18}" font-size="20" font-weight="600" fill="${COLOR.text}" xml:space="preserve">${esc(run.name)}  <tspan font-size="14" font-weight="400" fill="${mark}">${esc(pending ? "Action required" : (run.conclusion ?? run.status))}</tspan></text>`);
  // The buttons GitHub shows for the run's requested actions, at the right.
  let bx = WIDTH - PAD;
  for (const action of [...(run.actions ?? [])].reverse()) {
    const w = measure(action.label, 14, "bold") + 32;
    bx -= w;
    body.push(`<rect x="${bx.toFixed(1)}" y="${y - 2}" width="${w.toFixed(1)}" height="32" rx="6" fill="${COLOR.button}" stroke="${COLOR.border}"/>`);
    body.push(`<text x="${(bx + 16).toFixed(1)}" y="${y + 19}" font-size="14" font-weight="600" fill="${COLOR.text}">${esc(action.label)}</text>`);
    bx -= 8;
  }
  y += 40;
  for (const pieces of wrap([{ text: run.output.title ?? "", style: "bold" }], inner, 16)) {
    y += 24;
    body.push(...drawLine(pieces, PAD, y - 6, 16));
  }
  y += 10;
  body.push(`<rect x="${PAD}" y="${y}" width="${inner}" height="1" fill="${COLOR.border}"/>`);
  y += 6;

  const summary = drawMarkdown(run.output.summary ?? "", PAD, inner, y);
  body.push(...summary.out);
  y += summary.height + 16;

  // Annotations, as the Checks tab lists them.
  const annotations = run.annotations ?? [];
  if (annotations.length > 0) {
    const failures = annotations.filter((a) => a.annotation_level === "failure").length;
    const counts = `${failures} failure${failures === 1 ? "" : "s"}${annotations.length > failures ? `, ${annotations.length - failures} other` : ""}`;
    body.push(`<text x="${PAD}" y="${y + 18}" font-size="16" font-weight="600" fill="${COLOR.text}" xml:space="preserve">Annotations  <tspan font-size="13" font-weight="400" fill="${COLOR.fail}">${esc(counts)}</tspan></text>`);
    y += 30;
    for (const a of annotations) {
      const message = a.message.split("\n")[0];
      const lines = wrap([{ text: message, style: "normal" }], inner - 44, 13);
      const height = 30 + lines.length * 19;
      body.push(`<rect x="${PAD}" y="${y}" width="${inner}" height="${height}" rx="6" fill="#ffffff" stroke="${COLOR.border}"/>`);
      const color = a.annotation_level === "failure" ? COLOR.fail : COLOR.warn;
      body.push(`<circle cx="${PAD + 18}" cy="${y + 16}" r="6" fill="none" stroke="${color}" stroke-width="2"/><rect x="${PAD + 15}" y="${y + 15}" width="6" height="2" fill="${color}"/>`);
      body.push(`<text x="${PAD + 34}" y="${y + 21}" font-size="13" font-weight="600" fill="${COLOR.text}" xml:space="preserve">${esc(a.title ?? "")}  <tspan font-family='${MONO}' font-size="12" font-weight="400" fill="${COLOR.muted}">${esc(`${a.path}#L${a.start_line}`)}</tspan></text>`);
      lines.forEach((pieces, n) => {
        body.push(`<text x="${PAD + 34}" y="${y + 40 + n * 19}" font-size="13" fill="${COLOR.muted}" xml:space="preserve">${esc(pieces.map((p) => p.text).join(""))}</text>`);
      });
      y += height + 8;
    }
  }
  y += PAD;
  const height = Math.ceil(y);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family='${FONT}' role="img" aria-label="${esc(`The changegate check run holding ${record.repository}#${record.pull.number}: ${run.output.title ?? ""}`)}">`,
    `<title>${esc(`changegate: ${run.output.title ?? ""}`)}</title>`,
    `<rect x="0.5" y="0.5" width="${WIDTH - 1}" height="${height - 1}" rx="8" fill="#ffffff" stroke="${COLOR.border}"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

// `npm run picture`: record the demo's held check run, then draw it.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const demo = spawnSync(process.execPath, [join(root, "scripts", "demo.mjs"), "--record", RECORD_PATH], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  if (demo.status !== 0) {
    console.error(`picture: npm run demo failed (${demo.status}); nothing written`);
    process.exit(1);
  }
  writeFileSync(PICTURE_PATH, renderCheckRunPicture(JSON.parse(readFileSync(RECORD_PATH, "utf8"))));
  console.log(`Wrote ${RECORD_PATH} and ${PICTURE_PATH}.`);
}
