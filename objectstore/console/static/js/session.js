// The login of this tab: kept in sessionStorage only (gone when the tab closes, never
// sent anywhere but in the signatures and tokens of the console's own requests).

import { S3Store } from "./s3.js";
import { SwiftStore } from "./swift.js";

const KEY = "objectstore-console";

export function saveSession(session) {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

/** The store (S3 or Swift) of a session. */
export function storeOf(session) {
  if (!session) return null;
  return session.kind === "s3" ? new S3Store(session) : new SwiftStore(session);
}
