// A tiny DOM vocabulary: elements are made with h(); text is always set as text, never
// as HTML, so a key or a bucket name can never inject markup or script.

/** h("button.primary#go", {onclick}, "Go") -> an element; children may be nested arrays. */
export function h(spec, props = {}, ...kids) {
  const tag = spec.match(/^[a-z0-9]*/)[0];
  const id = spec.match(/#([^.#]+)/)?.[1];
  const classes = [...spec.matchAll(/\.([^.#]+)/g)].map((m) => m[1]);
  const el = document.createElement(tag || "div");
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(" ");
  if (props === null || typeof props !== "object" || props instanceof Node || Array.isArray(props)) {
    kids.unshift(props);
    props = {};
  }
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name in el && !["list", "form", "type"].includes(name)) el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, kids);
  return el;
}

function append(el, kids) {
  for (const kid of kids) {
    if (kid === undefined || kid === null || kid === false) continue;
    if (Array.isArray(kid)) append(el, kid);
    else el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
}

/** Replace the page's content. */
export function show(...kids) {
  const main = document.getElementById("main");
  main.replaceChildren();
  append(main, kids);
}

/** A message line: kind "error" (with the API's message) or "ok". */
export function note(kind, text) {
  return h(`p.note.${kind}`, { role: kind === "error" ? "alert" : "status" }, String(text));
}

/** Put a message into a slot element (replacing what it held). */
export function say(slot, kind, text) {
  slot.replaceChildren(note(kind, text));
}

export function size(n) {
  if (n === null || n === undefined || n === "") return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = Number(n), unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

export function table(headings, rows, cls = "") {
  return h(`table${cls ? "." + cls : ""}`,
    h("thead", h("tr", headings.map((t) => h("th", t)))),
    h("tbody", rows));
}

/** Run an async action from a button: disabled while it runs, errors into `slot`. */
export function action(slot, fn) {
  return async (event) => {
    const button = event?.currentTarget;
    if (button) button.disabled = true;
    try {
      await fn(event);
    } catch (e) {
      if (slot) say(slot, "error", e);
      else throw e;
    } finally {
      if (button) button.disabled = false;
    }
  };
}

/** The hash route of a view: #/<name>/<part>/<part>, each part encoded. */
export function route(...parts) {
  return "#/" + parts.map((p) => encodeURIComponent(p)).join("/");
}
