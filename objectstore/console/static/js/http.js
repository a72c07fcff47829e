// Requests of the console: fetch for most, XMLHttpRequest where upload progress matters.

/** An error the API answered (its status, code and message) or a network failure. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
  toString() {
    return this.status ? `${this.status} ${this.code ? this.code + ": " : ""}${this.message}`
      : this.message;
  }
}

/** The message of an error body: S3's XML, the admin API's JSON, or Swift's text/HTML. */
export function errorOf(status, text, statusText = "") {
  if (text.trimStart().startsWith("<?xml") || text.trimStart().startsWith("<Error")) {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const code = doc.querySelector("Code")?.textContent || "";
    const message = doc.querySelector("Message")?.textContent || "";
    if (code || message) return new ApiError(status, code, message);
  }
  if (text.trimStart().startsWith("{")) {
    try {
      const doc = JSON.parse(text);
      return new ApiError(status, doc.error || "", doc.message || "");
    } catch { /* not JSON after all */ }
  }
  const plain = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return new ApiError(status, "", plain || statusText || `HTTP ${status}`);
}

/** fetch that throws ApiError for a non-2xx answer. */
export async function send(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { cache: "no-store", credentials: "omit", ...options });
  } catch (e) {
    throw new ApiError(0, "NetworkError", `The request failed: ${e.message}`);
  }
  if (!response.ok) throw errorOf(response.status, await response.text(), response.statusText);
  return response;
}

/** A PUT of a Blob with progress (`onProgress(loaded)`); resolves to the XHR. */
export function upload(url, { method = "PUT", headers = {}, body, onProgress, signal }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onProgress && onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
      else reject(errorOf(xhr.status, xhr.responseText, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, "NetworkError", "The upload failed"));
    xhr.onabort = () => reject(new ApiError(0, "Aborted", "The upload was cancelled"));
    if (signal) signal.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}

export function xml(text) {
  return new DOMParser().parseFromString(text, "application/xml");
}

/** The text of the first element named `name` under `node` ("" if none). */
export function field(node, name) {
  for (const child of node.children) if (child.localName === name) return child.textContent;
  return "";
}

export function children(node, name) {
  return [...node.children].filter((c) => c.localName === name);
}
