// One object: its metadata (HEAD) and, through S3, versions, tags and lock state.

import { action, h, note, route, show, size, table } from "../ui.js";
import { download, shareForm } from "./browse.js";

async function section(title, id, load) {
  let body;
  try {
    body = await load();
  } catch (e) {
    body = note("error", e);
  }
  return h(`section.card#${id}`, h("h2", title), body);
}

export async function detailsView(store, bucket, key) {
  const folder = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
  const slot = h("div#message");
  const share = h("div#share");
  const sections = [await section("Metadata", "metadata", async () => {
    const headers = await store.head(bucket, key);
    return table(["header", "value"], headers.map(([k, v]) =>
      h("tr", h("td", k), h("td", k === "content-length" ? `${v} (${size(v)})` : v))));
  })];
  if (store.kind === "s3") {
    sections.push(
      await section("Versions", "versions", async () => {
        const rows = await store.versions(bucket, key);
        if (!rows.length) return h("p.muted", "No versions listed.");
        return table(["version", "modified", "size", "", ""], rows.map((v) => h("tr",
          h("td", v.id || "null"), h("td", v.modified), h("td", v.marker ? "" : size(v.size)),
          h("td", [v.latest && "latest", v.marker && " delete marker"]),
          h("td", !v.marker && h("button.version-download", { dataset: { version: v.id },
            onclick: action(slot, () => download(store, bucket, key, v.id)) }, "download")))));
      }),
      await section("Tags", "tags", async () => {
        const tags = await store.tags(bucket, key);
        return tags.length ? table(["key", "value"], tags.map(([k, v]) =>
          h("tr", h("td", k), h("td", v)))) : h("p.muted", "No tags.");
      }),
      await section("Lock", "lock", async () => {
        const lock = await store.lock(bucket, key);
        return table(["", ""], [h("tr", h("td", "retention"), h("td#retention", lock.retention)),
                                h("tr", h("td", "legal hold"), h("td#legal-hold", lock.legalHold))]);
      }));
  } else {
    sections.push(h("p.muted", "Versions, tags and lock state are shown for S3 logins."));
  }
  show(h("nav.crumbs", h("a", { href: route("b", bucket, folder) }, `← ${bucket}/${folder}`)),
       h("h1#object-name", key), slot,
       h("div.toolbar",
         h("button#details-download", { onclick: action(slot, () => download(store, bucket, key)) },
           "download"), " ",
         h("button#details-share", { onclick: () => shareForm(store, bucket, key, share) },
           "share link")),
       share, sections);
}
