/* Training monitor (clientside): pushed training frames (live-training: {seq, frames}) extend the curves with
 * extendData, update progress and ETA, and append log lines; lifecycle frames and gaps in the epochs ask the
 * server for a fresh render (experiment-monitor-lifecycle / -resync; a render older than a pushed event asks again
 * after a growing delay through experiment-monitor-stale → -retry). */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const EPOCH = "training.epoch_completed";
  const LOG = "training.log";
  const QUIET = [EPOCH, LOG]; // not lifecycle: the server render is not needed for these
  const STATUS_OF = {
    "training.queued": "queued", "training.started": "running", "training.completed": "completed",
    "training.failed": "failed", "training.cancelled": "cancelled", "training.evaluation_completed": "evaluated",
  };
  const monitor = { experimentId: null, runs: {}, logs: {}, pushed: {}, resyncs: 0 };

  function framesOf(live, experimentId) {
    return ((live && live.frames) || []).filter((frame) => {
      const payload = (frame.data || {}).payload || {};
      return payload.experiment_id === experimentId;
    });
  }

  function plotOf(graphId) {
    const outer = document.getElementById(graphId);
    return outer ? outer.querySelector(".js-plotly-plot") : null;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (h) return h + "h " + m + "m";
    return m ? m + "m " + (s % 60) + "s" : (s % 60) + "s";
  }

  /** Remember the newest status a pushed event gave a run (forward moves only) and when it happened. */
  function remember(snapshot, frame, target) {
    const p = frame.data.payload;
    const at = Date.parse(frame.data.occurred_at) || 0;
    const known = monitor.pushed[p.run_id];
    const from = known ? known.status : (monitor.runs[p.run_id] || {}).status;
    if (!known || target === from || ((snapshot.moves || {})[from] || []).includes(target)) {
      monitor.pushed[p.run_id] = { status: target, at: Math.max(at, known ? known.at : 0) };
    }
  }

  /** Whether the snapshot predates a pushed event it should show (its projection was overtaken by the push);
   * the runs take the pushed statuses meanwhile. */
  function behind(snapshot) {
    let stale = false;
    Object.entries(monitor.pushed).forEach(([runId, pushed]) => {
      const run = monitor.runs[runId];
      // status_ms: when the worker event behind the render's status happened (the gateway's own writes, e.g. a
      // projected epoch or the user's cancel, do not make a render look newer than a pushed status change)
      if (!run || pushed.at <= run.status_ms || pushed.status === run.status) return;
      if (((snapshot.moves || {})[run.status] || []).includes(pushed.status)) {
        stale = true;
        run.status = pushed.status;
      }
    });
    return stale;
  }

  /** Percent done, its label and the ETA line from the per-run state. */
  function progress(snapshot) {
    const runs = Object.values(monitor.runs);
    let done = 0;
    let total = 0;
    let left = 0;
    let running = 0;
    runs.forEach((run) => {
      const epochs = run.epochs || 0;
      const finished = snapshot.complete.includes(run.status) || snapshot.complete.includes(snapshot.status);
      total += epochs;
      done += finished ? epochs : Math.min(run.epoch, epochs);
      if (snapshot.running.includes(run.status)) {
        running += 1;
        if (run.seconds !== null) left += (epochs - run.epoch) * run.seconds;
        else if (run.eta_s !== null && run.eta_s !== undefined) left += run.eta_s;
      }
    });
    const percent = total ? Math.round((100 * done) / total) : 0;
    let eta = "";
    if (running && left > 0) eta = "About " + duration(left / running) + " left for the running run(s).";
    else if (runs.length && (snapshot.complete.includes(snapshot.status)
      || runs.every((run) => snapshot.complete.includes(run.status)))) eta = "All runs finished.";
    else if (!running && runs.length) eta = "No run is training right now.";
    return [percent, percent + " %", eta];
  }

  /** extendData for one graph: the pushed epochs that follow each trace's last point; gap: a resync. */
  function extension(graphId, keys, epochs, separator) {
    const plot = plotOf(graphId);
    if (!plot || !plot.data) return { update: ns.no_update, gap: epochs.length > 0 };
    const index = {};
    const last = {};
    plot.data.forEach((trace, i) => {
      index[trace.uid] = i;
      last[trace.uid] = trace.x && trace.x.length ? trace.x[trace.x.length - 1] : 0;
    });
    const xs = {};
    const ys = {};
    let gap = false;
    epochs.forEach((p) => keys.forEach((key) => {
      const uid = p.run_id + separator + key;
      if (!(uid in index)) {
        gap = true;
        return;
      }
      if (p.epoch <= last[uid]) return; // already shown (a redelivered event)
      if (p.epoch !== last[uid] + 1) {
        gap = true;
        return;
      }
      last[uid] = p.epoch;
      (xs[uid] = xs[uid] || []).push(p.epoch);
      (ys[uid] = ys[uid] || []).push(p[key]);
    }));
    const uids = Object.keys(xs);
    if (!uids.length) return { update: ns.no_update, gap };
    return { update: [{ x: uids.map((u) => xs[u]), y: uids.map((u) => ys[u]) }, uids.map((u) => index[u])], gap };
  }

  pfd.experimentMonitorLive = function (live, snapshot, experimentId) {
    const graphs = snapshot ? Object.keys(snapshot.graphs) : [];
    const none = graphs.map(() => ns.no_update);
    if (!snapshot || snapshot.experiment_id !== experimentId) {
      return [ns.no_update, ns.no_update, ns.no_update, ns.no_update, ns.no_update, ns.no_update, 0, "", ""];
    }
    // What is new is told by ids, not by callback_context.triggered: the renderer can merge a snapshot change into
    // a later live-training call and list only the latter.
    let retry = ns.no_update;
    if (monitor.experimentId !== snapshot.experiment_id || monitor.renderId !== snapshot.render_id) {
      if (monitor.experimentId !== snapshot.experiment_id) Object.assign(monitor, { pushed: {}, resyncs: 0 });
      monitor.experimentId = snapshot.experiment_id;
      monitor.renderId = snapshot.render_id;
      monitor.runs = JSON.parse(JSON.stringify(snapshot.runs));
      const stale = behind(snapshot) && monitor.resyncs < snapshot.max_resyncs;
      monitor.resyncs = stale ? monitor.resyncs + 1 : 0;
      if (stale) retry = { seq: Date.now(), attempt: monitor.resyncs };
    }
    const fresh = live && live.seq !== monitor.liveSeq;
    if (live) monitor.liveSeq = live.seq;
    const frames = fresh ? framesOf(live, experimentId) : [];
    if (!frames.length) return [...none, ns.no_update, ns.no_update, retry, ...progress(snapshot)];
    const epochs = [];
    let lifecycle = false;
    frames.forEach((frame) => {
      const p = frame.data.payload;
      const run = monitor.runs[p.run_id];
      if (frame.type === EPOCH) {
        epochs.push(p);
        if (run) Object.assign(run, { epoch: Math.max(run.epoch, p.epoch), epochs: p.epochs, seconds: p.seconds });
        const shown = (snapshot.runs[p.run_id] || {}).status; // what the server's render shows
        if (run && shown !== "running" && ((snapshot.moves || {})[shown] || []).includes("running")) {
          // the render still shows the run waiting (its projection was behind): render again, once per pushed
          // batch of epochs until the render catches up (a count of resyncs in a row could give up for good)
          remember(snapshot, frame, "running");
          behind(snapshot);
          lifecycle = true;
        }
      } else if (!QUIET.includes(frame.type)) {
        lifecycle = true;
        if (STATUS_OF[frame.type]) remember(snapshot, frame, STATUS_OF[frame.type]);
        behind(snapshot);
      }
    });
    let gap = false;
    const updates = graphs.map((graphId) => {
      const result = extension(graphId, snapshot.graphs[graphId], epochs, snapshot.separator);
      gap = gap || result.gap;
      return result.update;
    });
    const seq = live.seq;
    return [...updates, lifecycle ? { seq } : ns.no_update, gap && !lifecycle ? { seq } : ns.no_update,
      lifecycle ? ns.no_update : retry, ...progress(snapshot)];
  };

  /** A render older than a pushed event asks again after a growing delay (the projection may lag under load). */
  pfd.experimentMonitorRetry = function (stale, snapshot) {
    if (!stale || !snapshot) return ns.no_update;
    const delay = Math.min(snapshot.retry_base_ms * 2 ** (stale.attempt - 1), snapshot.retry_max_ms);
    return new Promise((resolve) => setTimeout(() => resolve({ seq: stale.seq }), delay));
  };

  /** A pushed lifecycle event (not an epoch or log line) of one of ``ids`` (a string or a list): its seq. */
  pfd.experimentsTouched = function (live, ids) {
    const wanted = [].concat(ids || []);
    const touched = ((live && live.frames) || []).some((frame) => !QUIET.includes(frame.type)
      && wanted.includes(((frame.data || {}).payload || {}).experiment_id));
    return touched ? live.seq : ns.no_update;
  };

  pfd.experimentMonitorLog = function (initial, live, runId, snapshot) {
    if (!runId) return "";
    const limit = snapshot && snapshot.log_limit ? snapshot.log_limit : Infinity;
    if (initial && initial.run_id === runId && initial.render_id !== monitor.logRenderId) {
      monitor.logRenderId = initial.render_id;
      monitor.logs[runId] = initial.lines.slice(-limit);
    }
    const lines = monitor.logs[runId] || [];
    if (live && live.seq !== monitor.logSeq) {
      monitor.logSeq = live.seq;
      ((live && live.frames) || []).forEach((frame) => {
        const p = (frame.data || {}).payload || {};
        if (frame.type !== LOG || p.run_id !== runId) return;
        const at = String(frame.data.occurred_at || "").slice(11, 19);
        p.lines.forEach((line) => lines.push(at + " " + line));
      });
    }
    monitor.logs[runId] = lines.slice(-limit);
    return monitor.logs[runId].length ? monitor.logs[runId].join("\n") : "No log line yet.";
  };
})();
