// For a reseller admin: the cluster's state from GET /_admin/v1/status (nodes, ring,
// data to move, the daemons' last passes -- replication, audit, updates -- devices).

import { usageBar } from "../charts.js";
import { h, note, show, size, table } from "../ui.js";

function age(seconds) {
  if (seconds === null || seconds === undefined) return "never";
  if (seconds < 120) return `${Math.round(seconds)} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${(seconds / 3600).toFixed(1)} h ago`;
}

export async function clusterView(store) {
  let status;
  try {
    status = await store.admin("status");
  } catch (e) {
    show(h("h1", "Cluster"), note("error", e));
    return;
  }
  const ring = status.ring || {};
  const health = [
    ["nodes", `${status.nodes.length - status.down} up, ${status.down} down`,
     status.down ? "bad" : "good"],
    ["ring", `version ${ring.version}, ${ring.devices} devices, ${ring.replicas} replicas, ` +
     `${ring.partitions} partitions, balance ${ring.balance}%`,
     status.ring_versions_agree ? "good" : "bad"],
    ["ring versions", status.ring_versions_agree ? "every node has this ring"
      : "nodes disagree on the ring", status.ring_versions_agree ? "good" : "bad"],
    ["data to move", `${status.moving} handoff partitions`, status.moving ? "warn" : "good"],
    ["quarantined (audit)", `${status.quarantined} files`, status.quarantined ? "warn" : "good"],
  ];
  const passes = Object.entries(status.passes || {});
  const failing = passes.filter(([, p]) => p.errors > 0).map(([name]) => name);
  health.push(["background work", passes.length === 0 ? "no pass recorded yet"
    : failing.length ? `errors in the last pass of ${failing.join(", ")}`
      : `${passes.length} daemons, no errors in their last passes`,
    passes.length === 0 || failing.length ? "warn" : "good"]);
  const daemons = passes.map(([name, p]) => h("tr.pass", { dataset: { daemon: name } },
    h("td", name), h("td", p.nodes), h("td", age(p.oldest_age)), h("td", p.items),
    h("td", h(`span.badge.${p.errors ? "warn" : "good"}`, String(p.errors)))));
  const nodes = status.nodes.map((n) => h(`tr.node.${n.up ? "up" : "down"}`,
    { dataset: { address: n.address } },
    h("td", n.address), h("td", h(`span.badge.${n.up ? "good" : "bad"}`, n.up ? "up" : "down")),
    h("td", n.ring_version ?? ""),
    h("td", n.replication ? age(n.replication.age) : "—"),
    h("td", n.replication ? `${n.replication.files_pushed} pushed, ` +
      `${n.replication.failures} failures` : "")));
  const devices = status.nodes.flatMap((n) => n.devices.map((d) => h("tr.device",
    h("td", n.address), h("td", d.name), h("td", usageBar(d.used, d.size)),
    h("td", size(d.used)), h("td", size(d.free)), h("td", d.partitions),
    h("td", d.handoffs), h("td", d.quarantined), h("td", d.async_pending))));
  show(h("h1#cluster-title", "Cluster"),
       table(["", "", ""], health.map(([k, v, cls]) => h("tr", h("td", k), h("td", v),
         h("td", h(`span.badge.${cls}`, cls === "good" ? "ok" : cls)))), "summary#health"),
       h("h2", "Nodes"),
       table(["address", "state", "ring", "last replication", "replication"], nodes,
             "list#nodes"),
       h("h2", "Background work"),
       table(["daemon", "nodes", "oldest last pass", "items", "errors"], daemons,
             "list#passes"),
       h("h2", "Devices"),
       table(["node", "device", "", "used", "free", "partitions", "handoffs",
              "quarantined", "async pending"], devices, "list#devices"));
}
