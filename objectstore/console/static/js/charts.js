// Small charts drawn as inline SVG (no library): a usage bar, a line over time, bars
// per hour stacked by class.

const NS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const kid of kids.flat(Infinity)) {
    if (kid !== null && kid !== undefined && kid !== false) {
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
  }
  return el;
}

/** A horizontal bar of used / total. */
export function usageBar(used, total, width = 160) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  return svg("svg", { width, height: 14, class: "bar", role: "img",
                      "aria-label": `${Math.round(share * 100)}% used` },
    svg("rect", { x: 0, y: 0, width, height: 14, class: "bar-free" }),
    svg("rect", { x: 0, y: 0, width: Math.round(share * width), height: 14,
                  class: share > 0.9 ? "bar-used full" : "bar-used" }),
    svg("title", {}, `${(share * 100).toFixed(1)}% used`));
}

const W = 640, H = 220, LEFT = 70, RIGHT = 10, TOP = 24, BOTTOM = 40;
const PLOT_H = H - TOP - BOTTOM, PLOT_W = W - LEFT - RIGHT;
const MAX_BAR = 48;

function shortTime(iso) {
  return iso.replace("T", " ").replace(/:\d\dZ$|Z$/, "").slice(5);
}

function axes(maxValue, label, format, first, last) {
  return [
    svg("line", { x1: LEFT, y1: TOP + PLOT_H, x2: W - RIGHT, y2: TOP + PLOT_H, class: "axis" }),
    svg("line", { x1: LEFT, y1: TOP, x2: LEFT, y2: TOP + PLOT_H, class: "axis" }),
    svg("text", { x: LEFT - 6, y: TOP + 4, class: "tick", "text-anchor": "end" }, format(maxValue)),
    svg("text", { x: LEFT - 6, y: TOP + PLOT_H, class: "tick", "text-anchor": "end" }, "0"),
    first && svg("text", { x: LEFT, y: TOP + PLOT_H + 14, class: "tick" }, shortTime(first)),
    last && last !== first && svg("text", { x: W - RIGHT, y: TOP + PLOT_H + 14, class: "tick",
                                            "text-anchor": "end" }, shortTime(last)),
    svg("text", { x: LEFT + PLOT_W / 2, y: H - 6, class: "label", "text-anchor": "middle" },
        label),
  ];
}

/** A line of (time, value) points, oldest first. */
export function lineChart(points, label, format = String) {
  const times = points.map((p) => Date.parse(p.time));
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (t) => LEFT + (t1 > t0 ? (t - t0) / (t1 - t0) : 0.5) * PLOT_W;
  const y = (v) => TOP + PLOT_H - (v / max) * PLOT_H;
  const path = points.map((p, i) => `${x(times[i]).toFixed(1)},${y(p.value).toFixed(1)}`);
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart line-chart", role: "img" },
    axes(max, label, format, points[0]?.time, points[points.length - 1]?.time),
    svg("polyline", { points: path.join(" "), class: "series" }),
    points.map((p, i) => svg("circle", { cx: x(times[i]), cy: y(p.value), r: 2.5,
                                         class: "point" },
                             svg("title", {}, `${p.time}: ${format(p.value)}`))));
}

/** Bars per hour, each stacked by class: rows of {hour, class, value}; a legend on top. */
export function stackedBars(rows, classes, label, format = String) {
  const hours = [...new Set(rows.map((r) => r.hour))].sort();
  const totals = hours.map((hr) => rows.filter((r) => r.hour === hr)
    .reduce((s, r) => s + r.value, 0));
  const max = Math.max(1, ...totals);
  const slot = Math.min(MAX_BAR, PLOT_W / Math.max(1, hours.length));
  const bars = [];
  hours.forEach((hour, i) => {
    let base = TOP + PLOT_H;
    for (const cls of classes) {
      const value = rows.filter((r) => r.hour === hour && r.class === cls)
        .reduce((s, r) => s + r.value, 0);
      if (!value) continue;
      const height = (value / max) * PLOT_H;
      base -= height;
      bars.push(svg("rect", { x: LEFT + i * slot + 2, y: base, width: Math.max(2, slot - 4),
                              height, class: `class-${cls}` },
                    svg("title", {}, `${hour} ${cls}: ${format(value)}`)));
    }
  });
  const legend = classes.map((cls, i) => [
    svg("rect", { x: LEFT + i * 80, y: 2, width: 10, height: 10, class: `class-${cls}` }),
    svg("text", { x: LEFT + i * 80 + 14, y: 11, class: "tick" }, cls)]);
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart bar-chart", role: "img" },
             axes(max, label, format, hours[0], hours[hours.length - 1]), legend, bars);
}
