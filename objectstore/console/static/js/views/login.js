// Log in with an S3 key (checked by a signed ListBuckets) or a Swift user (a token).

import { S3Store } from "../s3.js";
import { saveSession } from "../session.js";
import { swiftLogin } from "../swift.js";
import { h, say, show } from "../ui.js";

export function loginView(done) {
  const slot = h("div#login-message");
  const s3Form = h("form#s3-login.card", {
    onsubmit: async (e) => {
      e.preventDefault();
      const f = e.currentTarget.elements;
      const session = { kind: "s3", accessKey: f["access-key"].value.trim(),
                        secretKey: f["secret-key"].value,
                        region: f.region.value.trim() || "us-east-1" };
      say(slot, "ok", "Checking the key…");
      try {
        await new S3Store(session).check();
      } catch (err) {
        say(slot, "error", err);
        return;
      }
      saveSession(session);
      done();
    } },
    h("h2", "S3 access key"),
    h("label", "Access key ", h("input#access-key", { name: "access-key", required: true,
                                                       autocomplete: "username" })),
    h("label", "Secret key ", h("input#secret-key", { name: "secret-key", type: "password",
                                                       required: true,
                                                       autocomplete: "current-password" })),
    h("label", "Region ", h("input#region", { name: "region", value: "us-east-1" })),
    h("button#s3-login-button", { type: "submit" }, "Log in with S3"));
  const swiftForm = h("form#swift-login.card", {
    onsubmit: async (e) => {
      e.preventDefault();
      const f = e.currentTarget.elements;
      say(slot, "ok", "Asking for a token…");
      try {
        saveSession(await swiftLogin(f["swift-user"].value.trim(), f["swift-key"].value));
      } catch (err) {
        say(slot, "error", err);
        return;
      }
      done();
    } },
    h("h2", "Swift user"),
    h("label", "User (account:user) ", h("input#swift-user", { name: "swift-user",
                                                                required: true })),
    h("label", "Key ", h("input#swift-key", { name: "swift-key", type: "password",
                                               required: true })),
    h("button#swift-login-button", { type: "submit" }, "Log in with Swift"));
  show(h("h1", "Log in"),
       h("p.muted", "An S3 secret key stays in this browser tab (session storage) and " +
         "signs each request here; it is never sent. A Swift key is sent once, to " +
         "/auth/v1.0, for a token; the tab keeps only the token."),
       slot, h("div.cards", s3Form, swiftForm));
}
