// For a reseller admin (or an account's own): usage from GET /_admin/v1/usage
// (the contract: bytes and objects stored over time, transfer per hour and class).

import { lineChart, stackedBars } from "../charts.js";
import { h, note, show, size, table } from "../ui.js";

const CLASSES = ["read", "write", "list", "delete", "other"];
const WINDOWS = [["24 hours", "24h"], ["7 days", "7d"], ["30 days", "30d"]];

export async function usageView(store, since = "24h") {
  const picker = h("select#usage-since", { onchange: (e) => usageView(store, e.currentTarget.value) },
    WINDOWS.map(([label, v]) => h("option", { value: v, selected: v === since }, label)));
  let doc;
  try {
    doc = await store.admin("usage", [["since", since]]);
  } catch (e) {
    show(h("h1", "Usage"), e.status === 404
      ? note("error", "Usage metering is not available on this server.")
      : note("error", e));
    return;
  }
  const accounts = Object.entries(doc.accounts || {}).sort();
  const cards = accounts.map(([name, acct]) => {
    const stored = acct.stored;
    const series = acct.stored_series || [];
    const transfer = acct.transfer || [];
    const buckets = Object.entries(stored?.buckets || {}).sort();
    return h("section.card.account", { dataset: { account: name } },
      h("h2", name),
      stored ? h("p", `${size(stored.bytes)} in ${stored.objects} objects (at ${stored.time})`)
        : h("p.muted", "No sample taken yet."),
      series.length ? lineChart(series.map((s) => ({ time: s.time, value: s.bytes })),
                                "bytes stored", size) : null,
      transfer.length ? [
        stackedBars(transfer.map((r) => ({ hour: r.hour, class: r.class, value: r.requests })),
                    CLASSES, "requests per hour"),
        stackedBars(transfer.map((r) => ({ hour: r.hour, class: r.class,
                                           value: r.bytes_in + r.bytes_out })),
                    CLASSES, "bytes in + out per hour", size)]
        : h("p.muted", "No requests in this window."),
      buckets.length ? table(["bucket", "bytes", "objects"], buckets.map(([b, u]) =>
        h("tr", h("td", b), h("td", size(u.bytes)), h("td", u.objects)))) : null);
  });
  show(h("h1", "Usage"), h("p", "From ", doc.since, " to ", doc.until, " ", picker),
       cards.length ? cards : h("p.muted", "No accounts have usage in this window."));
}
