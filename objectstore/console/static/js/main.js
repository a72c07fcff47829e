// The console's entry: a hash router over the views, the login of this tab, and the
// navigation (the cluster and usage pages for a reseller admin).

import { clearSession, loadSession, storeOf } from "./session.js";
import { h, note, show } from "./ui.js";
import { bucketsView, objectsView } from "./views/browse.js";
import { clusterView } from "./views/cluster.js";
import { detailsView } from "./views/details.js";
import { loginView } from "./views/login.js";
import { settingsView } from "./views/settings.js";
import { usageView } from "./views/usage.js";

let whoami = null;      // the admin API's answer for this login (null: unknown yet)

async function identify(store) {
  try {
    whoami = await store.admin("whoami");
  } catch {
    whoami = { reseller_admin: false };
  }
}

function header(session) {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  if (!session) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  const word = session.kind === "s3" ? "Buckets" : "Containers";
  nav.replaceChildren(...[
    h("a#nav-buckets", { href: "#/" }, word),
    whoami?.reseller_admin && h("a#nav-cluster", { href: "#/cluster" }, "Cluster"),
    whoami?.account && h("a#nav-usage", { href: "#/usage" }, "Usage")].filter(Boolean));
  const name = session.kind === "s3" ? session.accessKey : session.user;
  who.replaceChildren(
    h("span#who-name", `${session.kind === "s3" ? "S3" : "Swift"}: ${name}` +
      (whoami?.reseller_admin ? " (reseller admin)" : "")), " ",
    h("button#logout", { onclick: () => {
      clearSession();
      whoami = null;
      go("#/");
    } }, "log out"));
}

/** Show `hash`: a new hash renders through hashchange, the same one is rendered again. */
function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

// one render at a time: a slow page finishing late must not cover the page asked after it
let rendering = Promise.resolve();
let pending = 0;
function render() {
  pending++;
  document.body.dataset.busy = "1";       // (tests wait for a page to settle)
  rendering = rendering.then(renderNow, renderNow).finally(() => {
    if (--pending === 0) delete document.body.dataset.busy;
  });
  return rendering;
}

async function renderNow() {
  const session = loadSession();
  const store = storeOf(session);
  if (!store) {
    header(null);
    loginView(() => {
      whoami = null;
      go("#/");
    });
    return;
  }
  if (whoami === null) await identify(store);
  header(session);
  const [view, ...parts] = location.hash.replace(/^#\/?/, "").split("/")
    .map((p) => decodeURIComponent(p));
  document.body.dataset.view = view || "buckets";
  try {
    if (view === "b") await objectsView(store, parts[0], parts.slice(1).join("/"));
    else if (view === "o") await detailsView(store, parts[0], parts.slice(1).join("/"));
    else if (view === "s") await settingsView(store, parts[0]);
    else if (view === "cluster") await clusterView(store);
    else if (view === "usage") await usageView(store);
    else await bucketsView(store);
  } catch (e) {
    show(note("error", e));
  }
  document.body.dataset.ready = location.hash || "#/";
}

window.addEventListener("hashchange", render);
render();
