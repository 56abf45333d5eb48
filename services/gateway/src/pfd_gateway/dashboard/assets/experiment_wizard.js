/* New experiment wizard (clientside): collect the form into a request, validate it with the bounds the server
 * uses (experiment-new-config: TrainingConfig's schema bounds and the model catalogue's param specs), show the
 * errors next to their fields, move between steps, and write experiment-new-request only for a valid form. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const LAUNCH = "experiment-new-launch.n_clicks";
  const NO_ERROR_KINDS = ["bool", "radio"];
  const PENDING = ["name"]; // "missing" is shown only once the user tried to launch

  function setPath(target, path, value) {
    const parts = path.split(".");
    let node = target;
    parts.slice(0, -1).forEach((part) => {
      node[part] = node[part] || {};
      node = node[part];
    });
    node[parts[parts.length - 1]] = value;
  }

  function parseList(text) {
    return String(text || "").split(",").map((part) => part.trim()).filter((part) => part.length > 0);
  }

  function isNumber(value) {
    return typeof value === "number" && Number.isFinite(value);
  }

  /** A number input's value as a number (an input outside its min/max reports its text). */
  function numeric(value) {
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return value === "" || value === undefined ? null : value;
  }

  /** The error of a number against a JSON-schema bound ({type, minimum, maximum, exclusive*, nullable}). */
  function checkNumber(value, bound) {
    if (value === null || value === undefined || value === "") {
      return bound.nullable ? null : "Required.";
    }
    if (!isNumber(value)) return "Must be a number.";
    if (bound.type === "integer" && !Number.isInteger(value)) return "Must be a whole number.";
    if (bound.minimum !== undefined && value < bound.minimum) return "Must be at least " + bound.minimum + ".";
    if (bound.maximum !== undefined && value > bound.maximum) return "Must be at most " + bound.maximum + ".";
    if (bound.exclusiveMinimum !== undefined && value <= bound.exclusiveMinimum) {
      return "Must be more than " + bound.exclusiveMinimum + ".";
    }
    if (bound.exclusiveMaximum !== undefined && value >= bound.exclusiveMaximum) {
      return "Must be less than " + bound.exclusiveMaximum + ".";
    }
    return null;
  }

  function parseSeeds(text, bound) {
    const parts = parseList(text);
    const seeds = parts.map(Number);
    let error = null;
    if (parts.length < (bound.minItems || 1)) error = "Give at least one seed.";
    else if (seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) error = "Seeds are whole numbers from 0.";
    else if (new Set(seeds).size !== seeds.length) error = "Each seed once.";
    else if (bound.maxItems !== undefined && seeds.length > bound.maxItems) {
      error = "At most " + bound.maxItems + " seeds.";
    }
    return { seeds, error };
  }

  /** Model parameters from the pattern-matched inputs, typed by their spec, with their errors. */
  function collectParams(info, inputs, errors) {
    const params = {};
    (inputs || []).forEach((entry) => {
      const name = entry.id.name;
      const spec = info && info.params[name];
      if (!spec) return;
      if (spec.kind === "categorical") {
        const choice = spec.choices.find((c) => String(c) === String(entry.value));
        if (choice === undefined) errors["param:" + name] = "Choose one of " + spec.choices.join(", ") + ".";
        params[name] = choice === undefined ? entry.value : choice;
        return;
      }
      const bound = { type: spec.kind === "int" ? "integer" : "number", minimum: spec.low, maximum: spec.high };
      const value = numeric(entry.value);
      const error = checkNumber(value, bound);
      if (error) errors["param:" + name] = error;
      params[name] = value;
    });
    if (info) {
      Object.entries(info.multiple_of || {}).forEach(([key, divisor]) => {
        if (isNumber(params[key]) && isNumber(params[divisor]) && params[divisor] > 0
            && params[key] % params[divisor] !== 0 && !errors["param:" + key]) {
          errors["param:" + key] = "Must be a multiple of " + divisor + " (" + params[divisor] + ").";
        }
      });
    }
    return params;
  }

  /** The shortest window the model takes with these parameters (as ModelInfo.min_window_for). */
  function minWindow(info, params) {
    if (!info || info.input !== "signal") return 1;
    return Object.entries(info.window_params || {}).reduce((low, [name, factor]) => (
      isNumber(params[name]) ? Math.max(low, params[name] * factor) : low), info.min_window || 1);
  }

  function collect(config, values, paramInputs, datasets) {
    const request = { name: "", dataset_id: null, tags: [], config: {} };
    const errors = {};
    config.fields.forEach((field, index) => {
      const value = values[index];
      const bound = config.bounds[field.path] || {};
      if (field.path === "name") {
        request.name = String(value || "").trim();
        if (!request.name) errors.name = "Give the experiment a name.";
      } else if (field.path === "dataset_id") {
        request.dataset_id = value || null;
        if (!value) errors.dataset_id = "Choose a ready data set (generate or import one on the Data sets page).";
      } else if (field.path === "tags") {
        request.tags = parseList(value).map((tag) => tag.toLowerCase());
      } else if (field.kind === "seeds") {
        const parsed = parseSeeds(value, bound);
        if (parsed.error) errors.seeds = parsed.error;
        setPath(request.config, "seeds", parsed.seeds);
      } else if (field.kind === "bool") {
        setPath(request.config, field.path, Boolean(value));
      } else if (["int", "int?", "float", "float?"].includes(field.kind)) {
        const number = numeric(value);
        const error = checkNumber(number, bound);
        if (error) errors[field.path] = error;
        setPath(request.config, field.path, number);
      } else {
        if (!value) errors[field.path] = "Required.";
        else if (bound.enum && !bound.enum.includes(value)) errors[field.path] = "Not a valid choice.";
        setPath(request.config, field.path, value);
      }
    });
    const info = config.models[request.config.model];
    if (!info) errors.model = "Choose a model.";
    else if (!info.presets[request.config.preset]) errors.preset = "This model has no such preset.";
    request.config.model_params = collectParams(info, paramInputs, errors);
    const length = request.config.window && request.config.window.length;
    const needed = minWindow(info, request.config.model_params);
    if (isNumber(length) && length < needed && !errors["window.length"]) {
      errors["window.length"] = info.name + " needs windows of at least " + needed + " samples.";
    }
    const dataset = (datasets || []).find((row) => row.id === request.dataset_id);
    if (dataset && dataset.samples && isNumber(length) && length > dataset.samples && !errors["window.length"]) {
      errors["window.length"] = "Longer than the data set's records (" + dataset.samples + " samples).";
    }
    return { request, errors, dataset };
  }

  function review(request, dataset) {
    const c = request.config;
    const seeds = c.seeds || [];
    const lines = [
      "Experiment: " + (request.name || "(no name yet)") + (request.tags.length ? "  [" + request.tags.join(", ") + "]" : ""),
      "Model:      " + c.model + " (" + c.preset + ") " + JSON.stringify(c.model_params),
      "Data set:   " + (dataset ? dataset.name : "(none chosen)") + " · window " + (c.window || {}).length
        + ", hop " + ((c.window || {}).hop || "= window"),
      "Runs:       " + seeds.length + " seed(s) [" + seeds.join(", ") + "] × up to " + c.epochs + " epochs",
      "",
      JSON.stringify(c, null, 2),
    ];
    return lines.join("\n");
  }

  pfd.experimentWizardCollect = function (launchClicks, datasets, _params, ...rest) {
    const config = rest[rest.length - 1];
    if (!config) return [ns.no_update, ns.no_update, ns.no_update];
    const values = rest.slice(0, rest.length - 1);
    const paramInputs = (ns.callback_context.inputs_list[2] || []);
    const { request, errors, dataset } = collect(config, values, paramInputs, datasets);
    const draft = { errors, attempted: Boolean(launchClicks) };
    const launching = ns.callback_context.triggered.some((t) => t.prop_id === LAUNCH);
    const valid = Object.keys(errors).length === 0;
    return [draft, review(request, dataset), launching && valid ? Object.assign({ attempt: launchClicks }, request)
      : ns.no_update];
  };

  function shown(draft, path) {
    if (!draft || !draft.errors[path]) return null;
    return PENDING.includes(path) && !draft.attempted ? null : draft.errors[path];
  }

  pfd.experimentWizardErrors = function (draft, serverErrors, _launch, paramIds, config) {
    if (!config) return ns.no_update;
    const fromServer = ns.callback_context.triggered.some((t) => t.prop_id.startsWith("experiment-new-server-errors"));
    const server = fromServer ? serverErrors || {} : {};
    const pick = (key) => shown(draft, key) || server[key] || null;
    const fields = config.fields.filter((field) => !NO_ERROR_KINDS.includes(field.kind));
    const messages = fields.map((field) => pick(field.path));
    const params = (paramIds || []).map((id) => pick("param:" + id.name));
    const formError = server.form || server.model
      || (draft && draft.attempted && Object.keys(draft.errors).length ? "Fix the highlighted fields first." : "");
    return [...messages.map(Boolean), ...messages.map((m) => m || ""), params.map(Boolean),
      params.map((m) => m || ""), formError];
  };

  function stepOf(config, key) {
    if (key.startsWith("param:")) return 1;
    const field = config.fields.find((f) => f.path === key);
    return field ? field.step : null;
  }

  function firstErrorStep(config, errors) {
    const steps = Object.keys(errors || {}).map((key) => stepOf(config, key)).filter((step) => step !== null);
    return steps.length ? Math.min(...steps) : null;
  }

  pfd.experimentWizardStep = function (_back, _next, _launch, serverErrors, ...rest) {
    const [step, draft, config] = rest.slice(rest.length - 3);
    const triggers = ns.callback_context.triggered.map((t) => t.prop_id);
    const has = (prefix) => triggers.some((id) => id.startsWith(prefix));
    const last = config.steps - 1;
    // Dash delivers a launch and the server's answer to it together: the answer decides.
    if (has("experiment-new-server-errors")) {
      const first = firstErrorStep(config, serverErrors);
      return first === null ? ns.no_update : first;
    }
    if (has("experiment-new-launch")) {
      const first = firstErrorStep(config, draft && draft.errors);
      return first === null ? ns.no_update : first;
    }
    if (has("experiment-new-back")) return Math.max(step - 1, 0);
    if (has("experiment-new-next")) return Math.min(step + 1, last);
    const match = (triggers[0] || "").match(/^experiment-new-step-(\d+)\./);
    return match ? Number(match[1]) : ns.no_update;
  };

  pfd.experimentWizardShowStep = function (step, config) {
    const count = config.steps;
    const current = step || 0;
    const styles = [];
    const active = [];
    for (let index = 0; index < count; index += 1) {
      styles.push(index === current ? {} : { display: "none" });
      active.push(index === current);
    }
    const lastStep = current === count - 1;
    return [...styles, ...active, current === 0, lastStep ? { display: "none" } : {}, lastStep ? {} : { display: "none" }];
  };
})();
