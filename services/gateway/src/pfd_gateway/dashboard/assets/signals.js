/* Signal Viewer: previous / next / random record, clamped to the data set's records (no server round trip). */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});

  pfd.signalsStep = function (_prev, _next, _random, index, current) {
    const ctx = ns.callback_context;
    const first = ctx && ctx.triggered && ctx.triggered[0];
    const records = current && current.records;
    if (!first || !first.value || !records) return ns.no_update;
    const at = Number.isInteger(index) ? index : 0;
    const button = first.prop_id.split(".")[0];
    if (button === "signals-random") return Math.floor(Math.random() * records);
    const step = button === "signals-prev" ? -1 : 1;
    return Math.min(Math.max(at + step, 0), records - 1);
  };
})();

/* Signal Viewer time plot: the x range of a zoom ({range: [t0, t1], record}), [null, null] on reset, nothing for
 * other relayouts; ``record`` is the key of the record it was made on (a zoom never applies to another record). */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});

  function xRange(relayout) {
    if ("xaxis.range[0]" in relayout && "xaxis.range[1]" in relayout) {
      return [relayout["xaxis.range[0]"], relayout["xaxis.range[1]"]];
    }
    if (Array.isArray(relayout["xaxis.range"])) return relayout["xaxis.range"].slice(0, 2);
    if (relayout["xaxis.autorange"]) return [null, null];
    return null;
  }

  pfd.signalsZoom = function (relayout, current) {
    const range = relayout && current ? xRange(relayout) : null;
    return range ? { range: range, record: current.key } : ns.no_update;
  };
})();
