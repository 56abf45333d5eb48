/* Data sets page: generation form validation, field errors, selection and the delete modal (all clientside). */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const FIELDS = ["name", "preset", "seed", "config"];  // the order of pages/datasets.py FIELDS

  function triggeredId() {
    const ctx = ns.callback_context;
    const first = ctx && ctx.triggered && ctx.triggered[0];
    return first && first.value ? ctx.triggered_id : null;
  }

  /** The overrides as an object, or an error message naming what is wrong with the JSON. */
  function parseOverrides(text) {
    if (!text || !text.trim()) return { value: {} };
    try {
      const value = JSON.parse(text);
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return { error: "The overrides must be a JSON object, e.g. {\"dataset\": {\"records_per_class\": 8}}." };
      }
      return { value };
    } catch (err) {
      return { error: "Not valid JSON: " + err.message };
    }
  }

  /** A valid form becomes the generation request (server callback); an invalid one only shows its errors. */
  pfd.datasetsValidate = function (_n, name, preset, seed, config) {
    const errors = {};
    const label = (name || "").trim();
    if (!label) errors.name = "Give the data set a name.";
    const seedValue = seed === null || seed === undefined || seed === "" ? 0 : Number(seed);
    if (!Number.isInteger(seedValue) || seedValue < 0) errors.seed = "The seed is a whole number, 0 or more.";
    const overrides = parseOverrides(config);
    if (overrides.error) errors.config = overrides.error;
    if (Object.keys(errors).length) return [ns.no_update, errors];
    return [{ name: label, preset, seed: seedValue, config: overrides.value, at: Date.now() }, {}];
  };

  /** invalid flags then messages for FIELDS: the browser's errors, or without any the service's (a valid form
   * clears the browser's errors and gets the service's answer; Dash runs this once both are in). */
  pfd.datasetsShowErrors = function (clientErrors, serverErrors) {
    const errors = (clientErrors && Object.keys(clientErrors).length ? clientErrors : serverErrors) || {};
    return FIELDS.map((f) => Boolean(errors[f])).concat(FIELDS.map((f) => errors[f] || ""));
  };

  pfd.datasetsSelect = function () {
    const id = triggeredId();
    return id ? id.id : ns.no_update;
  };

  /** Open on a row's delete button (remember which set), close on cancel or confirm. */
  pfd.datasetsDeleteModal = function () {
    const id = triggeredId();
    if (!id) return [ns.no_update, ns.no_update, ns.no_update];
    if (typeof id === "object") {
      return [true, { id: id.id, name: id.name },
        "“" + id.name + "” and its file are deleted for everyone it is shared with. This cannot be undone."];
    }
    return [false, ns.no_update, ns.no_update];
  };
})();
