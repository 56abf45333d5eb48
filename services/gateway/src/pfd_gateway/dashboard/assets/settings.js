/* Settings page: password strength meter and every account change, through the auth REST API. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const NO = () => ns.no_update;

  function alert(children, color) {
    return { namespace: "dash_bootstrap_components", type: "Alert",
             props: { children, color: color || "danger", className: "py-2 small mb-0" } };
  }

  function failure(err) {
    const id = err.correlationId ? " (correlation id " + err.correlationId + ")" : "";
    return alert((err.message || "The request failed.") + id, "danger");
  }

  function triggered() {
    const ctx = ns.callback_context;
    const first = ctx && ctx.triggered && ctx.triggered[0];
    return first && first.value ? first : null;
  }

  /** Score 0-4 from length and character variety (a hint; the server enforces its own rules). */
  pfd.passwordStrength = function (password) {
    const value = password || "";
    let score = 0;
    if (value.length >= 10) score += 1;
    if (value.length >= 14) score += 1;
    const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
    if (kinds >= 2) score += 1;
    if (kinds >= 3) score += 1;
    if (!value) return [0, "secondary", ""];
    const labels = ["Very weak", "Weak", "Fair", "Good", "Strong"];
    const colors = ["danger", "danger", "warning", "info", "success"];
    return [Math.max(score, 1) * 25, colors[score], labels[score] + (value.length < 10 ? " — use at least 10 characters" : "")];
  };

  pfd.changePassword = async function (_n, current, next, repeat) {
    if (!current || !next) return [alert("Enter your current and your new password."), NO()];
    if (next !== repeat) return [alert("The two new passwords differ."), NO()];
    try {
      await pfd.api("POST", "/api/v1/auth/password", { current_password: current, new_password: next });
    } catch (err) {
      return [failure(err), NO()];
    }
    return [alert("Password changed. Your other sessions were signed out.", "success"), Date.now()];
  };

  pfd.totpEnrol = async function () {
    try {
      const enrolment = await pfd.api("POST", "/api/v1/auth/totp/enrol");
      return alert([
        "Add this secret to your authenticator app, then confirm with a code: ",
        { namespace: "dash_html_components", type: "Code", props: { children: enrolment.secret, id: "settings-totp-secret" } },
        { namespace: "dash_html_components", type: "Div",
          props: { children: enrolment.otpauth_uri, className: "small text-break mt-1", id: "settings-totp-uri" } },
      ], "info");
    } catch (err) {
      return failure(err);
    }
  };

  pfd.totpConfirm = async function (_confirm, _disable, code, password, disableCode) {
    const which = ns.callback_context.triggered_id;
    try {
      if (which === "settings-totp-disable") {
        if (!password || !disableCode) return [alert("Enter your password and a current code."), NO()];
        await pfd.api("POST", "/api/v1/auth/totp/disable", { password, code: disableCode.trim() });
        return [alert("Two-factor authentication is off.", "success"), Date.now()];
      }
      if (!/^\d{6}$/.test((code || "").trim())) return [alert("Enter the 6-digit code from your app."), NO()];
      const result = await pfd.api("POST", "/api/v1/auth/totp/confirm", { code: code.trim() });
      return [alert(["Two-factor authentication is on. Keep these recovery codes (shown once): ",
        { namespace: "dash_html_components", type: "Code",
          props: { children: result.recovery_codes.join(" "), id: "settings-recovery-codes" } }], "success"), Date.now()];
    } catch (err) {
      return [failure(err), NO()];
    }
  };

  pfd.createKey = async function (_n, name, scopes, expires) {
    const label = (name || "").trim();
    if (!label) return [alert("Give the key a name."), NO(), NO(), NO()];
    if (!scopes || !scopes.length) return [alert("Choose at least one scope."), NO(), NO(), NO()];
    const body = { name: label, scopes };
    if (expires) {
      const at = new Date(expires + "T23:59:59Z");
      if (at <= new Date()) return [alert("The expiry date must be in the future."), NO(), NO(), NO()];
      body.expires_at = at.toISOString();
    }
    try {
      const created = await pfd.api("POST", "/api/v1/api-keys", body);
      return [null, created.key, "alert alert-success mt-3 mb-0", Date.now()];
    } catch (err) {
      return [failure(err), NO(), NO(), NO()];
    }
  };

  pfd.revokeKey = async function () {
    const hit = triggered();
    if (!hit) return NO();
    const id = ns.callback_context.triggered_id.id;
    if (!window.confirm("Revoke this API key? Scripts using it stop working.")) return NO();
    try {
      await pfd.api("DELETE", "/api/v1/api-keys/" + encodeURIComponent(id));
    } catch (err) {
      window.alert(err.message);
      return NO();
    }
    return Date.now();
  };

  pfd.revokeSession = async function () {
    const hit = triggered();
    if (!hit) return [NO(), NO()];
    const id = ns.callback_context.triggered_id.id;
    try {
      await pfd.api("DELETE", "/api/v1/auth/sessions/" + encodeURIComponent(id));
    } catch (err) {
      return [failure(err), NO()];
    }
    return [alert("Session revoked.", "success"), Date.now()];
  };
})();
