// Buckets (containers), and the "folders" of one by delimiter "/", a page at a time;
// upload by picker or drag and drop, download, share, delete.

import { action, h, note, route, say, show, size, table } from "../ui.js";

const PAGE_SIZES = [20, 50, 100, 1000];
const SHARE_TIMES = [["1 hour", 3600], ["1 day", 86400], ["7 days", 604800], ["5 minutes", 300]];

export async function bucketsView(store, marker = "") {
  const slot = h("div#message");
  const word = store.bucketWord;
  const made = h("form#new-bucket.inline", {
    onsubmit: action(slot, async (e) => {
      e.preventDefault();
      const name = e.currentTarget.elements["bucket-name"].value.trim();
      await store.createBucket(name);
      await bucketsView(store);
      say(document.getElementById("message"), "ok", `Made ${word} ${name}.`);
    }) },
    h("input#bucket-name", { name: "bucket-name", placeholder: `new ${word} name`,
                             required: true }),
    h("button#create-bucket", { type: "submit" }, `Make ${word}`));
  let page;
  try {
    page = await store.listBuckets(marker);
  } catch (e) {
    show(h("h1", `${word[0].toUpperCase() + word.slice(1)}s`), note("error", e));
    return;
  }
  const rows = page.items.map((b) => h("tr", { dataset: { bucket: b.name } },
    h("td", h("a.bucket", { href: route("b", b.name) }, b.name)),
    h("td.muted", b.detail),
    h("td.actions",
      store.kind === "s3" && h("a", { href: route("s", b.name) }, "settings"), " ",
      h("button.danger", { dataset: { delete: b.name }, onclick: action(slot, async () => {
        if (!confirm(`Delete the ${word} ${b.name}? It must be empty.`)) return;
        await store.deleteBucket(b.name);
        await bucketsView(store);
        say(document.getElementById("message"), "ok", `Deleted ${word} ${b.name}.`);
      }) }, "delete"))));
  show(h("h1", `${word[0].toUpperCase() + word.slice(1)}s`), slot, made,
       rows.length ? table(["name", "", ""], rows, "list#buckets")
         : h("p.muted#buckets", `No ${word}s yet.`),
       page.next && h("a#next-page", { href: "#", onclick: (e) => {
         e.preventDefault(); bucketsView(store, page.next);
       } }, "next page →"));
}

function crumbs(bucket, prefix) {
  const parts = prefix.split("/").filter(Boolean);
  const links = [h("a", { href: "#/" }, "all"), " / ", h("a", { href: route("b", bucket) }, bucket)];
  let sofar = "";
  for (const part of parts) {
    sofar += part + "/";
    links.push(" / ", h("a", { href: route("b", bucket, sofar) }, part));
  }
  return h("nav.crumbs#crumbs", links);
}

/** One folder: `state` keeps the page size and the tokens of the pages before. */
export async function objectsView(store, bucket, prefix, state = { size: 50, tokens: [null] }) {
  const slot = h("div#message");
  const token = state.tokens[state.tokens.length - 1];
  let page;
  try {
    page = await store.listObjects(bucket, prefix, token, state.size);
  } catch (e) {
    show(crumbs(bucket, prefix), note("error", e));
    return;
  }
  const again = (s = state) => objectsView(store, bucket, prefix, s);
  const rows = [
    ...page.folders.map((f) => h("tr.folder", h("td",
      h("a.folder", { href: route("b", bucket, f) }, f.slice(prefix.length))), h("td"), h("td"),
      h("td"))),
    ...page.objects.map((o) => objectRow(store, bucket, o, prefix, slot, again))];
  const progress = h("div#uploads");
  const picker = h("input#file-input", { type: "file", multiple: true, onchange: (e) =>
    uploadAll(store, bucket, prefix, [...e.currentTarget.files], progress, slot, again) });
  const drop = h("div.dropzone#dropzone",
    { ondragover: (e) => { e.preventDefault(); drop.classList.add("over"); },
      ondragleave: () => drop.classList.remove("over"),
      ondrop: (e) => {
        e.preventDefault();
        drop.classList.remove("over");
        uploadAll(store, bucket, prefix, [...e.dataTransfer.files], progress, slot, again);
      } },
    "Drop files here to upload them to ", h("code", prefix || "/"), ", or pick: ", picker);
  const sizes = h("select#page-size", { onchange: (e) =>
    again({ size: Number(e.currentTarget.value), tokens: [null] }) },
    PAGE_SIZES.map((n) => h("option", { value: String(n), selected: n === state.size }, n)));
  show(crumbs(bucket, prefix), slot, drop, progress,
       rows.length ? table(["name", "size", "modified", ""], rows, "list#objects")
         : h("p.muted#objects", "Nothing here."),
       h("div.pager",
         state.tokens.length > 1 && h("button#prev-page", { onclick: () =>
           again({ ...state, tokens: state.tokens.slice(0, -1) }) }, "← previous"),
         page.next && h("button#next-page", { onclick: () =>
           again({ ...state, tokens: [...state.tokens, page.next] }) }, "next →"),
         h("label", " per page ", sizes)));
}

function objectRow(store, bucket, o, prefix, slot, again) {
  const share = h("span.share");
  return h("tr.object", { dataset: { key: o.key } },
    h("td", h("a.object", { href: route("o", bucket, o.key) }, o.key.slice(prefix.length))),
    h("td", size(o.size)), h("td.muted", o.modified),
    h("td.actions",
      h("button.download", { onclick: action(slot, () => download(store, bucket, o.key)) },
        "download"), " ",
      h("button.share", { onclick: () => shareForm(store, bucket, o.key, share) }, "share"), " ",
      h("button.danger.delete", { onclick: action(slot, async () => {
        if (!confirm(`Delete ${o.key}?`)) return;
        await store.remove(bucket, o.key);
        await again();
        say(document.getElementById("message"), "ok", `Deleted ${o.key}.`);
      }) }, "delete"),
      share));
}

/** Start a download: a link (presigned or TempURL) or a Blob fetched with the token. */
export async function download(store, bucket, key, versionId = "") {
  const got = await store.download(bucket, key, versionId);
  const a = h("a", { href: got.url || URL.createObjectURL(got.blob) });
  a.download = got.name || key.split("/").pop();
  document.body.append(a);
  a.click();
  a.remove();
  if (got.blob) setTimeout(() => URL.revokeObjectURL(a.href), 60000);
}

export function shareForm(store, bucket, key, slot) {
  const out = h("div.share-out");
  const expiry = h("select.share-expiry", SHARE_TIMES.map(([label, s]) =>
    h("option", { value: String(s) }, label)));
  slot.replaceChildren(h("span.inline", "link for ", expiry, " ",
    h("button.make-link", { onclick: action(out, async () => {
      const url = await store.share(bucket, key, Number(expiry.value));
      out.replaceChildren(h("input.share-url#share-url", { value: url, readOnly: true,
                                                           size: 60 }),
        h("span.muted", ` expires in ${expiry.selectedOptions[0].textContent}`));
    }) }, "make link")), out);
}

async function uploadAll(store, bucket, prefix, files, box, slot, again) {
  for (const file of files) {
    const bar = h("progress.upload", { max: file.size || 1, value: 0 });
    const label = h("span", `${file.name} (${size(file.size)})`);
    const line = h("div.upload-line", label, " ", bar);
    box.append(line);
    try {
      await store.upload(bucket, prefix + file.name, file, (loaded) => { bar.value = loaded; });
      bar.value = file.size || 1;
      line.append(h("span.ok.upload-done", " uploaded"));
    } catch (e) {
      line.append(note("error", e));
      return;
    }
  }
  const done = box.cloneNode(true);
  await again();
  document.getElementById("uploads").replaceWith(done);
  say(document.getElementById("message"), "ok", `Uploaded ${files.length} file(s).`);
}
