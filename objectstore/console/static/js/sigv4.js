// AWS Signature Version 4 for S3, made in the browser (the secret never leaves it).
// A request is signed over its method, path, query, a few headers and a declared
// payload hash; a presigned URL carries the signature in its query instead.

import { hex, hmac, sha256 } from "./sha256.js";

export const UNSIGNED = "UNSIGNED-PAYLOAD";
export const EMPTY_SHA256 = hex(sha256(""));

/** RFC 3986 percent-encoding as S3 wants it (unreserved kept; '/' kept if asked). */
export function uriEncode(text, keepSlash = false) {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** The path of a bucket or an object, encoded once (the same string is sent and signed). */
export function objectPath(bucket, key) {
  if (!bucket) return "/";
  return "/" + uriEncode(bucket) + "/" + (key ? uriEncode(key, true) : "");
}

export function canonicalQuery(query) {
  return query.map(([k, v]) => [uriEncode(k), uriEncode(v ?? "")])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join("&");
}

function stamp(now) {
  const iso = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return { amzDate: iso, day: iso.slice(0, 8) };
}

function signingKey(secret, day, region) {
  return hmac(hmac(hmac(hmac("AWS4" + secret, day), region), "s3"), "aws4_request");
}

function signature(cred, day, amzDate, canonical) {
  const scope = `${day}/${cred.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(sha256(canonical))].join("\n");
  return { scope, value: hex(hmac(signingKey(cred.secretKey, day, cred.region), toSign)) };
}

/**
 * Headers that sign a request: `headers` (lower-case names) are signed with `host`,
 * `x-amz-date` and `x-amz-content-sha256` (= `payloadHash`). Returns the headers to send
 * (without host, which the browser sets itself to the same value).
 */
export function signedHeaders({ method, path, query = [], headers = {}, payloadHash, cred,
                                host = location.host, now = new Date() }) {
  const { amzDate, day } = stamp(now);
  const all = { ...headers, host, "x-amz-date": amzDate, "x-amz-content-sha256": payloadHash };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
  const canonical = [method, path, canonicalQuery(query),
    names.map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, " ")}\n`).join(""),
    names.join(";"), payloadHash].join("\n");
  const sig = signature(cred, day, amzDate, canonical);
  const out = { ...lower };
  delete out.host;
  out.authorization = `AWS4-HMAC-SHA256 Credential=${cred.accessKey}/${sig.scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${sig.value}`;
  return out;
}

/** A presigned URL (path and query; same origin) good for `expires` seconds. */
export function presignedUrl({ method = "GET", path, query = [], cred, expires,
                               host = location.host, now = new Date() }) {
  const { amzDate, day } = stamp(now);
  const scope = `${day}/${cred.region}/s3/aws4_request`;
  const signedQuery = [...query,
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${cred.accessKey}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(expires)],
    ["X-Amz-SignedHeaders", "host"]];
  const canonical = [method, path, canonicalQuery(signedQuery), `host:${host}\n`, "host",
    UNSIGNED].join("\n");
  const sig = signature(cred, day, amzDate, canonical);
  return `${location.protocol}//${host}${path}?${canonicalQuery(signedQuery)}` +
    `&X-Amz-Signature=${sig.value}`;
}
