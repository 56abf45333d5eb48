/* The live channel: one WebSocket per tab to /ws, reconnecting with exponential backoff.
 * Frames {"type", "data"} are routed by type prefix to dcc.Store components (shell-live-config.routes)
 * with dash_clientside.set_props, coalesced per store; the header badge shows the connection state. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const BADGE = {
    connecting: { children: "connecting", color: "secondary" },
    connected: { children: "live", color: "success" },
    reconnecting: { children: "reconnecting", color: "warning" },
    offline: { children: "offline", color: "danger" },
  };

  function LiveChannel(config) {
    this.config = config;
    this.attempts = 0;
    this.seq = 0;
    this.pending = {};
    this.timers = {};
    this.instances = new Set();
    this.activity = [];
    this.state = null;
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => this.setState("offline"));
    this.connect();
  }

  LiveChannel.prototype.setState = function (state) {
    if (state === this.state) return;
    this.state = state;
    ns.set_props(this.config.badge, BADGE[state]);
    document.documentElement.setAttribute("data-pfd-live", state);
  };

  LiveChannel.prototype.connect = function () {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + this.config.path);
    this.socket = socket;
    if (this.attempts === 0) this.setState("connecting");
    socket.onopen = () => {
      this.attempts = 0;
      this.setState("connected");
    };
    socket.onmessage = (message) => {
      try {
        this.dispatch(JSON.parse(message.data));
      } catch (err) {
        console.error("PFD live: unreadable frame", err);
      }
    };
    socket.onclose = () => this.scheduleReconnect();
  };

  LiveChannel.prototype.scheduleReconnect = function () {
    const cfg = this.config;
    const delay = Math.min(cfg.backoffInitialMs * Math.pow(2, this.attempts), cfg.backoffMaxMs);
    this.attempts += 1;
    const offline = this.attempts > cfg.offlineAfter || navigator.onLine === false;
    this.setState(offline ? "offline" : "reconnecting");
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.connect(), delay * (0.8 + 0.4 * Math.random()));
  };

  LiveChannel.prototype.reconnectNow = function () {
    if (this.socket && this.socket.readyState <= 1) return;
    clearTimeout(this.retry);
    this.connect();
  };

  LiveChannel.prototype.storeFor = function (type) {
    const routes = this.config.routes;
    return Object.keys(routes).find((store) => routes[store].some((prefix) => type.startsWith(prefix)));
  };

  LiveChannel.prototype.dispatch = function (frame) {
    this.seq += 1;
    const store = this.storeFor(frame.type);
    const value = { seq: this.seq, type: frame.type, at: Date.now(), data: frame.data };
    if (store && (this.config.batched || []).includes(store)) this.queueBatch(store, value);
    else if (store) this.queue(store, value);
    const entry = this.summarize(frame);
    if (entry) {
      this.activity = [entry].concat(this.activity).slice(0, this.config.activitySize);
      this.queue(this.config.activity, this.activity);
    }
  };

  /** Coalesce: a store receives its newest value at most once per debounce period. */
  LiveChannel.prototype.queue = function (store, value) {
    this.pending[store] = value;
    if (this.timers[store]) return;
    this.timers[store] = setTimeout(() => {
      this.timers[store] = null;
      ns.set_props(store, { data: this.pending[store] });
    }, this.config.debounceMs);
  };

  /** A batched store receives every frame since its last update: {seq, frames: [oldest, ..., newest]}. */
  LiveChannel.prototype.queueBatch = function (store, value) {
    const waiting = this.timers[store] && this.pending[store] ? this.pending[store].frames : [];
    this.queue(store, { seq: value.seq, frames: waiting.concat([value]) });
  };

  LiveChannel.prototype.summarize = function (frame) {
    const at = new Date().toISOString();
    const data = frame.data || {};
    if (frame.type === "system.snapshot") {
      (data || []).forEach((svc) => svc.instances.forEach((i) => this.instances.add(svc.name + "/" + i.instance_id)));
      return { type: frame.type, at, level: "info", text: "Live updates connected: " + data.length + " service(s) running" };
    }
    if (frame.type === "system.status_reported") {
      const p = data.payload || {};
      const key = p.service + "/" + p.instance_id;
      if (this.instances.has(key)) return null;  // a heartbeat of a known instance is not news
      this.instances.add(key);
      return { type: frame.type, at, level: "success", text: "Service " + p.service + " started (" + p.instance_id + ")" };
    }
    if (frame.type === "system.service_gone") {
      this.instances.delete(data.service + "/" + data.instance_id);
      return { type: frame.type, at, level: "warning", text: "Service " + data.service + " stopped: " + data.reason };
    }
    if (frame.type.startsWith("monitoring.")) return null;
    if (frame.type === "notifications.created") {
      const p = data.payload || {};
      return { type: frame.type, at, level: p.level === "success" ? "success" : p.level === "info" ? "info" : "warning",
        text: p.title || frame.type };
    }
    if (frame.type === "training.epoch_completed" || frame.type === "training.log") return null;  // per epoch: not news
    if (frame.type === "deploy.batch_prediction_progress") return null;  // the Predict page shows it
    if (frame.type === "xai.explanation_progress") return null;  // per stage: not news
    return { type: frame.type, at, level: "info", text: frame.type };
  };

  pfd.openLive = function (config) {
    if (!config) return ns.no_update;
    if (!window.__pfdLive) window.__pfdLive = new LiveChannel(config);
    return true;
  };
})();
