/* Experiments grid (clientside): purge the infinite model's cache when a filter changes, refresh the loaded blocks
 * when a pushed training event changes a run's status, the Compare link for 2-5 selected rows, the cell renderers
 * (name link, status badge) and AG Grid's dark mode following the dashboard theme. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const QUIET = ["training.epoch_completed", "training.log"]; // these never change an experiment's status

  function gridApi(gridId) {
    try {
      return window.dash_ag_grid && window.dash_ag_grid.getApi(gridId);
    } catch (err) {
      return null; // the grid is not rendered yet: its first request carries the current filters anyway
    }
  }

  pfd.experimentsPurge = function (...args) {
    const api = gridApi(args[args.length - 1]);
    if (api) api.purgeInfiniteCache();
    return Date.now();
  };

  const pushed = {}; // experiment id -> newest lifecycle event (ms) pushed for it
  let refreshes = 0;

  pfd.experimentsLive = function (live, gridId) {
    const frames = ((live && live.frames) || []).filter((frame) => !QUIET.includes(frame.type));
    if (!frames.length) return ns.no_update;
    frames.forEach((frame) => {
      const id = ((frame.data || {}).payload || {}).experiment_id;
      if (id) pushed[id] = Math.max(pushed[id] || 0, Date.parse(frame.data.occurred_at) || 0);
    });
    const api = gridApi(gridId);
    refreshes = 0;
    if (api) api.refreshInfiniteCache();
    return live.seq;
  };

  /** A block older than an event pushed for one of its rows (the push overtook the projection): ask again. */
  pfd.experimentsRecheck = function (response, gridId, limits) {
    const rows = (response && response.rowData) || [];
    const stale = rows.some((row) => (pushed[row.experiment_id] || 0) > row.updated_ms);
    if (!stale || refreshes >= limits.maxRefreshes) return ns.no_update;
    refreshes += 1;
    const api = gridApi(gridId);
    if (api) api.refreshInfiniteCache();
    return refreshes;
  };

  pfd.experimentsCompare = function (selected, limits) {
    const ids = (selected || []).map((row) => row.experiment_id).filter(Boolean);
    const ok = ids.length >= limits.min && ids.length <= limits.max;
    const href = ok ? limits.url + "?ids=" + ids.map(encodeURIComponent).join(",") : limits.url;
    const label = ids.length ? "Compare " + ids.length + " selected" : "Compare selected";
    const hint = ok ? "" : " (" + limits.min + "-" + limits.max + ")";
    return [href, "btn btn-sm btn-outline-primary" + (ok ? "" : " disabled"), label + hint];
  };

  // Cell renderers (dash-ag-grid looks them up by name in dashAgGridComponentFunctions).
  const renderers = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});
  renderers.ExperimentLink = function (props) {
    if (!props.data) return null;
    return window.React.createElement("a", { href: props.data.href, className: "pfd-exp-link" }, props.value);
  };
  renderers.ExperimentStatus = function (props) {
    if (!props.value) return null;
    const colour = (props.colours || {})[props.value] || "secondary";
    return window.React.createElement("span", { className: "badge pfd-exp-status text-bg-" + colour }, props.value);
  };

  // AG Grid's theme reads data-ag-theme-mode; the dashboard's theme is data-bs-theme on <html>.
  function followTheme() {
    const dark = document.documentElement.getAttribute("data-bs-theme") === "dark";
    if (document.body) document.body.setAttribute("data-ag-theme-mode", dark ? "dark" : "light");
  }
  new MutationObserver(followTheme).observe(document.documentElement, { attributes: true,
    attributeFilter: ["data-bs-theme"] });
  document.addEventListener("DOMContentLoaded", followTheme);
  followTheme();
})();
