// The S3 side of the console: every request signed here with the user's key (SigV4).

import { ApiError, children, field, send, upload, xml } from "./http.js";
import { hex, sha256 } from "./sha256.js";
import { EMPTY_SHA256, UNSIGNED, objectPath, presignedUrl, signedHeaders, uriEncode }
  from "./sigv4.js";

export const PART_SIZE = 8 * 1024 * 1024;       // parts of a multipart upload
export const MULTIPART_FROM = PART_SIZE;          // larger files go up in parts
export const MAX_SHARE_SECONDS = 7 * 24 * 3600;   // SigV4's longest presigned link

function queryString(query) {
  return query.length ? "?" + query.map(([k, v]) =>
    v === "" || v === undefined ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`).join("&") : "";
}

export class S3Store {
  constructor(cred) {
    this.cred = cred;    // {accessKey, secretKey, region}
    this.kind = "s3";
    this.bucketWord = "bucket";
  }

  /** A signed fetch: `query` as [name, value] pairs, a string body hashed and signed. */
  async request(method, bucket, key, { query = [], headers = {}, body } = {}) {
    const path = objectPath(bucket, key);
    const payloadHash = body === undefined ? EMPTY_SHA256 : typeof body === "string"
      ? hex(sha256(body)) : UNSIGNED;
    const signed = signedHeaders({ method, path, query, headers, payloadHash, cred: this.cred });
    return send(path + queryString(query), { method, headers: signed, body });
  }

  async text(method, bucket, key, options) {
    return (await this.request(method, bucket, key, options)).text();
  }

  /** The admin API with this key's signature. */
  async admin(resource, query = []) {
    const path = "/_admin/v1/" + resource;
    const headers = signedHeaders({ method: "GET", path, query, payloadHash: EMPTY_SHA256,
                                    cred: this.cred });
    return (await send(path + queryString(query), { headers })).json();
  }

  async check() {
    await this.listBuckets();
  }

  async listBuckets() {
    const doc = xml(await this.text("GET", "", ""));
    return { items: [...doc.getElementsByTagName("Bucket")].map((b) => ({
      name: field(b, "Name"), detail: field(b, "CreationDate") })), next: null };
  }

  async createBucket(name) {
    await this.request("PUT", name, "");
  }

  async deleteBucket(name) {
    await this.request("DELETE", name, "");
  }

  /** One page of a "folder": sub-folders (common prefixes), objects, the next token. */
  async listObjects(bucket, prefix, token, pageSize) {
    const query = [["list-type", "2"], ["delimiter", "/"], ["prefix", prefix],
                   ["max-keys", String(pageSize)]];
    if (token) query.push(["continuation-token", token]);
    const doc = xml(await this.text("GET", bucket, "", { query })).documentElement;
    return {
      folders: children(doc, "CommonPrefixes").map((p) => field(p, "Prefix")),
      objects: children(doc, "Contents").map((c) => ({
        key: field(c, "Key"), size: Number(field(c, "Size")),
        modified: field(c, "LastModified"), etag: field(c, "ETag") })),
      next: field(doc, "IsTruncated") === "true" ? field(doc, "NextContinuationToken") : null,
    };
  }

  /** Upload a File: one PUT, or a multipart upload (aborted if any part fails). */
  async upload(bucket, key, file, onProgress) {
    const type = { "content-type": file.type || "application/octet-stream" };
    if (file.size <= MULTIPART_FROM) {
      const path = objectPath(bucket, key);
      const headers = signedHeaders({ method: "PUT", path, headers: type, payloadHash: UNSIGNED,
                                      cred: this.cred });
      await upload(path, { headers, body: file, onProgress });
      return;
    }
    const created = xml(await this.text("POST", bucket, key,
                                        { query: [["uploads", ""]], headers: type }));
    const uploadId = created.querySelector("UploadId").textContent;
    const done = [];
    try {
      let sent = 0;
      for (let start = 0, number = 1; start < file.size; start += PART_SIZE, number++) {
        const part = file.slice(start, Math.min(start + PART_SIZE, file.size));
        const query = [["partNumber", String(number)], ["uploadId", uploadId]];
        const path = objectPath(bucket, key);
        const headers = signedHeaders({ method: "PUT", path, query, payloadHash: UNSIGNED,
                                        cred: this.cred });
        const xhr = await upload(path + queryString(query), {
          headers, body: part, onProgress: (loaded) => onProgress(sent + loaded) });
        sent += part.size;
        done.push([number, xhr.getResponseHeader("etag")]);
      }
      const body = "<CompleteMultipartUpload>" + done.map(([n, etag]) =>
        `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`).join("") +
        "</CompleteMultipartUpload>";
      const answer = await this.text("POST", bucket, key,
                                     { query: [["uploadId", uploadId]], body });
      // S3 may answer 200 with an error document when completing fails late
      if (answer.includes("<Error>")) {
        const doc = xml(answer);
        throw new ApiError(200, doc.querySelector("Code")?.textContent,
                           doc.querySelector("Message")?.textContent);
      }
    } catch (e) {
      await this.request("DELETE", bucket, key, { query: [["uploadId", uploadId]] })
        .catch(() => {});
      throw e;
    }
  }

  /** A presigned GET, as a download (Content-Disposition: attachment) or to share. */
  presign(bucket, key, seconds, attachment = false, versionId = "") {
    const query = versionId ? [["versionId", versionId]] : [];
    if (attachment) {
      const name = key.split("/").pop();
      query.push(["response-content-disposition",
                  `attachment; filename*=UTF-8''${encodeURIComponent(name)}`]);
    }
    return presignedUrl({ path: objectPath(bucket, key), query, cred: this.cred,
                          expires: seconds });
  }

  async download(bucket, key, versionId = "") {
    return { url: this.presign(bucket, key, 300, true, versionId) };
  }

  async share(bucket, key, seconds) {
    if (seconds > MAX_SHARE_SECONDS) {
      throw new ApiError(0, "", "A presigned link lasts at most 7 days.");
    }
    return this.presign(bucket, key, seconds);
  }

  async remove(bucket, key) {
    await this.request("DELETE", bucket, key);
  }

  async head(bucket, key) {
    const response = await this.request("HEAD", bucket, key);
    return [...response.headers.entries()];
  }

  async versions(bucket, key) {
    const doc = xml(await this.text("GET", bucket, "",
                                    { query: [["versions", ""], ["prefix", key]] }));
    const rows = [];
    for (const node of doc.documentElement.children) {
      if (!["Version", "DeleteMarker"].includes(node.localName) || field(node, "Key") !== key) {
        continue;
      }
      rows.push({ id: field(node, "VersionId"), latest: field(node, "IsLatest") === "true",
                  modified: field(node, "LastModified"), size: field(node, "Size"),
                  marker: node.localName === "DeleteMarker" });
    }
    return rows;
  }

  async tags(bucket, key) {
    const doc = xml(await this.text("GET", bucket, key, { query: [["tagging", ""]] }));
    return [...doc.getElementsByTagName("Tag")].map((t) => [field(t, "Key"), field(t, "Value")]);
  }

  /** Retention and legal hold: each a value, "no lock" or the API's error. */
  async lock(bucket, key) {
    const one = async (name, read) => {
      try {
        return read(xml(await this.text("GET", bucket, key, { query: [[name, ""]] })));
      } catch (e) {
        if (["NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError",
             "InvalidRequest"].includes(e.code)) return "no lock";
        return String(e);
      }
    };
    return {
      retention: await one("retention", (d) =>
        `${d.querySelector("Mode")?.textContent || "?"} until ` +
        `${d.querySelector("RetainUntilDate")?.textContent || "?"}`),
      legalHold: await one("legal-hold", (d) => d.querySelector("Status")?.textContent || "?"),
    };
  }

  // -- bucket settings: each is one sub-resource, its text shown and edited as it is
  async getSetting(bucket, name) {
    try {
      return await this.text("GET", bucket, "", { query: [[name, ""]] });
    } catch (e) {
      if (e.status === 404) return { missing: String(e) };
      throw e;
    }
  }

  async putSetting(bucket, name, body) {
    await this.request("PUT", bucket, "", { query: [[name, ""]], body,
      headers: { "content-type": name === "policy" ? "application/json" : "application/xml" } });
  }

  async deleteSetting(bucket, name) {
    await this.request("DELETE", bucket, "", { query: [[name, ""]] });
  }

  async versioning(bucket) {
    const doc = xml(await this.text("GET", bucket, "", { query: [["versioning", ""]] }));
    return doc.querySelector("Status")?.textContent || "Off";
  }

  async setVersioning(bucket, enabled) {
    const status = enabled ? "Enabled" : "Suspended";
    await this.putSetting(bucket, "versioning",
      `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`);
  }
}
