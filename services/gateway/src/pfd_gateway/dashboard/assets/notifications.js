/* Notification pages: browser-side validation of the preferences, webhook and email forms, field errors,
 * the webhook log selection and the delete modal (all clientside). */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  const WEBHOOK_FIELDS = ["name", "url", "event_types"]; // pages/webhooks.py FIELDS
  const EMAIL_FIELDS = ["host", "port", "username", "from_address", "to"]; // pages/email_settings.py FIELDS

  function triggered() {
    const ctx = ns.callback_context;
    const first = ctx && ctx.triggered && ctx.triggered[0];
    return first && first.value ? ctx.triggered_id : null;
  }

  /** The browser's errors, or without any the service's: invalid flags then messages. */
  function showErrors(fields, flagged, clientErrors, serverErrors) {
    const errors = (clientErrors && Object.keys(clientErrors).length ? clientErrors : serverErrors) || {};
    return flagged.map((f) => Boolean(errors[f])).concat(fields.map((f) => errors[f] || ""));
  }

  /** An http(s) URL with a host and no credentials, or the reason it is not. */
  function urlProblem(text) {
    let url;
    try {
      url = new URL(text);
    } catch (err) {
      return "Enter a full URL, e.g. https://hooks.example.com/pfd.";
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return "The URL must start with http:// or https://.";
    if (!url.hostname) return "The URL has no host.";
    if (url.username || url.password) return "The URL must not contain credentials; the request is signed instead.";
    return null;
  }

  pfd.preferencesValidate = function (_n, email, frequency, channels, ids, modes) {
    const address = (email || "").trim();
    const rules = ids.map((id, i) => ({ event_type: id.event, channels: channels[i] || [], mode: modes[i] }));
    const wantsEmail = rules.some((r) => r.channels.indexOf("email") >= 0);
    if (address && !EMAIL.test(address)) return [ns.no_update, { email: "Not a valid email address." }];
    if (wantsEmail && !address) return [ns.no_update, { email: "Email notifications need an address." }];
    return [{ email: address || null, digest_frequency: frequency, rules, at: Date.now() }, {}];
  };

  pfd.preferencesShowErrors = function (clientErrors, serverErrors) {
    return showErrors(["email"], ["email"], clientErrors, serverErrors);
  };

  pfd.webhooksValidate = function (_n, name, url, eventTypes, enabled, rotate, editing) {
    const errors = {};
    if (!(name || "").trim()) errors.name = "Give the webhook a name.";
    const problem = urlProblem((url || "").trim());
    if (problem) errors.url = problem;
    if (Object.keys(errors).length) return [ns.no_update, errors];
    return [{ webhook_id: editing || null, name: name.trim(), url: url.trim(), event_types: eventTypes || [],
      enabled: Boolean(enabled), rotate: Boolean(rotate), at: Date.now() }, {}];
  };

  pfd.webhooksShowErrors = function (clientErrors, serverErrors) {
    return showErrors(WEBHOOK_FIELDS, ["name", "url"], clientErrors, serverErrors);
  };

  pfd.webhooksSelect = function () {
    const id = triggered();
    return id ? id.id : ns.no_update;
  };

  pfd.webhooksDeleteModal = function () {
    const id = triggered();
    if (!id) return [ns.no_update, ns.no_update, ns.no_update];
    if (typeof id === "object") {
      return [true, { id: id.id, name: id.name }, "“" + id.name + "” stops receiving events; its pending retries are dropped."];
    }
    return [false, ns.no_update, ns.no_update];
  };

  /** Save (the SMTP form) or Test (the address): a valid form becomes its request, an invalid one its errors. */
  pfd.emailValidate = function (_save, _test, host, port, tlsMode, username, password, clearPassword, from, to) {
    const which = triggered();
    const errors = {};
    if (which === "email-settings-test") {
      const address = (to || "").trim();
      if (!EMAIL.test(address)) return [ns.no_update, ns.no_update, { to: "Not a valid email address." }];
      return [ns.no_update, { to: address, at: Date.now() }, {}];
    }
    if (!(host || "").trim()) errors.host = "Enter the SMTP server's host name.";
    const portValue = Number(port);
    if (!Number.isInteger(portValue) || portValue < 1 || portValue > 65535) errors.port = "A port from 1 to 65535.";
    if (!EMAIL.test((from || "").trim())) errors.from_address = "Not a valid email address.";
    if (Object.keys(errors).length) return [ns.no_update, ns.no_update, errors];
    return [{ host: host.trim(), port: portValue, tls_mode: tlsMode, username: (username || "").trim() || null,
      password: password || null, clear_password: Boolean(clearPassword), from_address: from.trim() },
    ns.no_update, {}];
  };

  pfd.emailShowErrors = function (clientErrors, serverErrors) {
    return showErrors(EMAIL_FIELDS, EMAIL_FIELDS, clientErrors, serverErrors);
  };
})();
