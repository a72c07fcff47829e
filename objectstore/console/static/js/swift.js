// The Swift side of the console: a TempAuth token (X-Auth-Token) on every request.

import { ApiError, send, upload } from "./http.js";
import { hex, hmac } from "./sha256.js";

export const SEGMENT_SIZE = 8 * 1024 * 1024;    // segments of a static large object

function enc(name) {
  return encodeURIComponent(name).replace(/%2F/g, "/");
}

function qs(params) {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return parts.length ? "?" + parts.join("&") : "";
}

/** Log in at /auth/v1.0; the session keeps the token and the storage path, not the key. */
export async function swiftLogin(user, key) {
  const response = await send("/auth/v1.0", {
    headers: { "X-Auth-User": user, "X-Auth-Key": key } });
  const token = response.headers.get("x-auth-token");
  const storage = response.headers.get("x-storage-url");
  if (!token || !storage) throw new ApiError(response.status, "", "No token in the answer");
  // same origin: only the path of the storage URL is used
  return { kind: "swift", user, token, storagePath: new URL(storage, location.href).pathname };
}

export class SwiftStore {
  constructor(session) {
    this.token = session.token;
    this.base = session.storagePath;            // /v1/AUTH_account
    this.kind = "swift";
    this.bucketWord = "container";
  }

  url(container, object, params = {}) {
    let path = this.base;
    if (container) path += "/" + encodeURIComponent(container);
    if (object) path += "/" + enc(object);
    return path + qs(params);
  }

  request(method, container, object, { params, headers = {}, body } = {}) {
    return send(this.url(container, object, params), {
      method, body, headers: { "X-Auth-Token": this.token, ...headers } });
  }

  async admin(resource, query = []) {
    const search = query.length ? "?" + new URLSearchParams(query).toString() : "";
    return (await send("/_admin/v1/" + resource + search,
                       { headers: { "X-Auth-Token": this.token } })).json();
  }

  async check() {
    await this.request("HEAD", "", "");
  }

  async listBuckets(marker, pageSize = 1000) {
    const rows = await (await this.request("GET", "", "", {
      params: { format: "json", marker, limit: pageSize } })).json();
    return { items: rows.map((r) => ({ name: r.name,
                                       detail: `${r.count} objects, ${r.bytes} bytes` })),
             next: rows.length === pageSize ? rows[rows.length - 1].name : null };
  }

  async createBucket(name) {
    await this.request("PUT", name, "");
  }

  async deleteBucket(name) {
    await this.request("DELETE", name, "");
  }

  async listObjects(container, prefix, marker, pageSize) {
    const rows = await (await this.request("GET", container, "", {
      params: { format: "json", prefix, delimiter: "/", marker, limit: pageSize } })).json();
    const last = rows[rows.length - 1];
    return {
      folders: rows.filter((r) => r.subdir).map((r) => r.subdir),
      objects: rows.filter((r) => !r.subdir).map((r) => ({
        key: r.name, size: r.bytes, modified: r.last_modified, etag: r.hash })),
      next: rows.length === pageSize ? (last.subdir || last.name) : null,
    };
  }

  /** One PUT, or segments in `<container>_segments` and an SLO manifest over them. */
  async upload(container, name, file, onProgress) {
    const type = file.type || "application/octet-stream";
    const headers = { "X-Auth-Token": this.token, "Content-Type": type };
    if (file.size <= SEGMENT_SIZE) {
      await upload(this.url(container, name), { headers, body: file, onProgress });
      return;
    }
    const segments = container + "_segments";
    await this.request("PUT", segments, "");
    const prefix = `${name}/${Date.now()}/`;
    const manifest = [];
    let sent = 0;
    try {
      for (let start = 0, n = 1; start < file.size; start += SEGMENT_SIZE, n++) {
        const part = file.slice(start, Math.min(start + SEGMENT_SIZE, file.size));
        const segment = prefix + String(n).padStart(6, "0");
        const xhr = await upload(this.url(segments, segment), {
          headers: { "X-Auth-Token": this.token }, body: part,
          onProgress: (loaded) => onProgress(sent + loaded) });
        sent += part.size;
        manifest.push({ path: `/${segments}/${segment}`, etag: xhr.getResponseHeader("etag"),
                        size_bytes: part.size });
      }
      await this.request("PUT", container, name, {
        params: { "multipart-manifest": "put" }, body: JSON.stringify(manifest),
        headers: { "Content-Type": type } });
    } catch (e) {
      for (const m of manifest) {
        await send(this.base + m.path, { method: "DELETE",
                                         headers: { "X-Auth-Token": this.token } })
          .catch(() => {});
      }
      throw e;
    }
  }

  /** A TempURL when the account has a key, else the object fetched into a Blob. */
  async download(container, name) {
    const key = await this.tempUrlKey();
    if (key) return { url: this.tempUrl(key, container, name, 300) + "&filename=" +
                      encodeURIComponent(name.split("/").pop()) };
    const response = await this.request("GET", container, name);
    return { blob: await response.blob(), name: name.split("/").pop() };
  }

  async tempUrlKey() {
    const response = await this.request("HEAD", "", "");
    return response.headers.get("x-account-meta-temp-url-key");
  }

  tempUrl(key, container, name, seconds) {
    const expires = Math.floor(Date.now() / 1000) + seconds;
    const path = this.base + "/" + encodeURIComponent(container) + "/" + enc(name);
    const sig = hex(hmac(key, `GET\n${expires}\n${decodeURIComponent(path)}`));
    return `${location.origin}${path}?temp_url_sig=${sig}&temp_url_expires=${expires}`;
  }

  async share(container, name, seconds) {
    const key = await this.tempUrlKey();
    if (!key) {
      throw new ApiError(0, "", "This account has no Temp-URL key " +
        "(X-Account-Meta-Temp-URL-Key), so no link can be made. An account admin can set one.");
    }
    return this.tempUrl(key, container, name, seconds);
  }

  async remove(container, name) {
    const head = await this.request("HEAD", container, name);
    const slo = head.headers.get("x-static-large-object") === "True";
    await this.request("DELETE", container, name,
                       { params: slo ? { "multipart-manifest": "delete" } : {} });
  }

  async head(container, name) {
    return [...(await this.request("HEAD", container, name)).headers.entries()];
  }
}
