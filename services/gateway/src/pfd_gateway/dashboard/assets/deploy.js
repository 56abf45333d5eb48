/* Deployment and Models pages (clientside): pushed deploy frames (live-deploy: {seq, frames}) that concern the
 * shown deployment or model ask the server for a fresh render; a render older than a pushed event (its projection
 * was overtaken by the push) is asked for again, waiting longer each time. The export's progress bar follows pushed progress
 * frames directly. The promote / roll back / delete confirmation modal is clientside too. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const PROGRESS = "deploy.deployment_progress";
  const RESYNC_MS = 500; // first wait before asking again; doubled each time (about 30 s in all)
  const MAX_RESYNCS = 6;
  const pages = {}; // per touched-store id: {wanted: newest pushed event time (ms), resyncs}

  function triggered(prefix) {
    return ((ns.callback_context || {}).triggered || []).some((t) => t.prop_id.startsWith(prefix));
  }

  function concerns(frame, snapshot) {
    const p = (frame.data || {}).payload || {};
    return (snapshot.deployment_id && p.deployment_id === snapshot.deployment_id)
      || (snapshot.model_name && p.model_name === snapshot.model_name);
  }

  function pageOf(snapshot) {
    const key = snapshot.touched;
    pages[key] = pages[key] || { wanted: 0, resyncs: 0 };
    return pages[key];
  }

  /** The touched store's new value when a pushed frame concerns the page (or its render lags behind one). */
  pfd.deployTouched = function (live, snapshot) {
    if (!snapshot || !snapshot.touched) return ns.no_update;
    const page = pageOf(snapshot);
    if (triggered("live-deploy")) {
      const mine = ((live && live.frames) || []).filter((frame) => concerns(frame, snapshot));
      if (!mine.length) return ns.no_update;
      mine.forEach((frame) => { page.wanted = Math.max(page.wanted, Date.parse(frame.data.occurred_at) || 0); });
      page.resyncs = 0;
      return live.seq;
    }
    if (page.wanted > (snapshot.last_event_ms || 0) && page.resyncs < MAX_RESYNCS) {
      page.resyncs += 1;
      const wait = RESYNC_MS * Math.pow(2, page.resyncs - 1);
      setTimeout(() => ns.set_props(snapshot.touched, { data: "resync-" + Date.now() }), wait);
    }
    return ns.no_update;
  };

  function progressOf(deployment) {
    if (!deployment || !deployment.total) return [deployment && deployment.done ? 100 : 0, ""];
    const value = Math.round((100 * deployment.done) / deployment.total);
    return [value, value + " %"];
  }

  /** Progress bar value, label and the stage line: the rendered deployment, then its pushed progress frames. */
  pfd.deploymentProgress = function (live, snapshot) {
    if (!snapshot || !snapshot.deployment_id) return [0, "", ""];
    let shown = snapshot;
    if (triggered("live-deploy") && snapshot.active) {
      const mine = ((live && live.frames) || []).filter((f) => f.type === PROGRESS && concerns(f, snapshot));
      if (!mine.length) return [ns.no_update, ns.no_update, ns.no_update];
      shown = mine[mine.length - 1].data.payload;
    }
    if (!snapshot.active) {
      const done = snapshot.status === "exported";
      return [done ? 100 : 0, done ? "100 %" : "", snapshot.status];
    }
    const [value, label] = progressOf(shown);
    const stage = shown.stage ? shown.stage + (shown.message ? ": " + shown.message : "") : "waiting for the deploy service";
    return [value, label, stage];
  };

  /** Open the confirmation for promote, roll back or delete (remembering what to do); close on cancel/confirm. */
  pfd.modelsConfirm = function (_p, _r, _d, _c, _ok, model, alias, version, reason, backAlias, backReason) {
    const ctx = ns.callback_context;
    const first = ctx && ctx.triggered && ctx.triggered[0];
    if (!first || !first.value) return [ns.no_update, ns.no_update, ns.no_update];
    const id = ctx.triggered_id;
    if (id === "models-promote") {
      if (!alias || !version) return [false, ns.no_update, ns.no_update];
      return [true, { kind: "promote", model, alias, version: Number(version), reason: reason || "" },
        "Point " + alias + " of " + model + " at version " + version + "? Requests served under " + alias
        + " switch to it."];
    }
    if (id === "models-rollback") {
      if (!backAlias) return [false, ns.no_update, ns.no_update];
      return [true, { kind: "rollback", model, alias: backAlias, reason: backReason || "" },
        "Roll " + backAlias + " of " + model + " back to the version it served before its last change?"];
    }
    if (id && typeof id === "object") {
      return [true, { kind: "delete", model, version: id.version },
        "Delete version " + id.version + " of " + model + " and its ONNX files? This cannot be undone."];
    }
    return [false, ns.no_update, ns.no_update];
  };
})();
