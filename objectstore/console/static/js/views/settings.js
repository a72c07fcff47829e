// A bucket's settings through S3: versioning (a toggle) and the documents of lifecycle,
// CORS, policy and public access block, shown and edited as their XML or JSON text.

import { action, h, note, route, say, show } from "../ui.js";

const DOCUMENTS = [
  ["lifecycle", "Lifecycle (XML)",
   "<LifecycleConfiguration><Rule><ID>expire-tmp</ID><Filter><Prefix>tmp/</Prefix></Filter>" +
   "<Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>"],
  ["cors", "CORS (XML)",
   "<CORSConfiguration><CORSRule><AllowedOrigin>https://example.com</AllowedOrigin>" +
   "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"],
  ["policy", "Policy (JSON)", ""],
  ["publicAccessBlock", "Public access block (XML)",
   "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>" +
   "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>" +
   "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"],
];

async function versioningCard(store, bucket) {
  const slot = h("div");
  const state = h("strong#versioning-state");
  const toggle = h("button#versioning-toggle");
  const refresh = async () => {
    const status = await store.versioning(bucket);
    state.textContent = status;
    toggle.textContent = status === "Enabled" ? "suspend versioning" : "enable versioning";
    toggle.dataset.enabled = status === "Enabled" ? "1" : "";
  };
  toggle.addEventListener("click", action(slot, async () => {
    await store.setVersioning(bucket, !toggle.dataset.enabled);
    await refresh();
    say(slot, "ok", "Saved.");
  }));
  try {
    await refresh();
  } catch (e) {
    return h("section.card#versioning", h("h2", "Versioning"), note("error", e));
  }
  return h("section.card#versioning", h("h2", "Versioning"),
           h("p", "Versioning: ", state, " ", toggle), slot);
}

async function documentCard(store, bucket, [name, title, example]) {
  const slot = h("div");
  const text = h(`textarea.doc#doc-${name}`, { rows: 8, cols: 80, spellcheck: false });
  const load = async () => {
    const got = await store.getSetting(bucket, name);
    if (typeof got === "string") {
      text.value = got;
      slot.replaceChildren();
    } else {
      text.value = "";
      text.placeholder = example || "";
      say(slot, "none", `None set (${got.missing}).`);
    }
  };
  try {
    await load();
  } catch (e) {
    say(slot, "error", e);
  }
  return h(`section.card#setting-${name}`, h("h2", title), text,
    h("div.toolbar",
      h("button.save", { onclick: action(slot, async () => {
        await store.putSetting(bucket, name, text.value);
        await load();
        say(slot, "ok", "Saved.");
      }) }, "save"), " ",
      h("button.danger", { onclick: action(slot, async () => {
        await store.deleteSetting(bucket, name);
        await load();
      }) }, "remove")),
    slot);
}

export async function settingsView(store, bucket) {
  const cards = [await versioningCard(store, bucket)];
  for (const doc of DOCUMENTS) cards.push(await documentCard(store, bucket, doc));
  show(h("nav.crumbs", h("a", { href: route("b", bucket) }, `← ${bucket}`)),
       h("h1", `Settings of ${bucket}`), cards);
}
