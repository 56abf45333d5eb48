/* Data Explorer (clientside): the filter controls become one filter object (a full range, every split or an
 * empty picker mean "no restriction"), the range read-outs, the records grid's refresh when the filter changes,
 * opening a clicked record (grid row or projection point) in the Signal Viewer, and the projection method's
 * parameter fields. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const RELATIVE_TOLERANCE = 1e-6;

  function picked(values) {
    return Array.isArray(values) && values.length ? values : null;
  }

  function near(a, b, span) {
    return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(span));
  }

  pfd.explorerFilter = function (classes, severities, splits, rangeValues, rangeIds, bounds) {
    const limits = (bounds && bounds.ranges) || {};
    const allSplits = (bounds && bounds.splits) || [];
    const ranges = {};
    (rangeIds || []).forEach((id, i) => {
      const value = rangeValues[i];
      const full = limits[id.name];
      if (!value || !full) return;
      const span = full[1] - full[0];
      const low = near(value[0], full[0], span) ? null : value[0];
      const high = near(value[1], full[1], span) ? null : value[1];
      if (low !== null || high !== null) ranges[id.name] = { low: low, high: high };
    });
    const everySplit = Array.isArray(splits) && allSplits.every((s) => splits.includes(s));
    return {
      classes: picked(classes),
      severities: picked(severities),
      splits: everySplit ? null : splits || [],
      ranges: ranges,
    };
  };

  pfd.explorerRangeText = function (values) {
    return (values || []).map((v) => (v ? Number(v[0]).toPrecision(4) + " – " + Number(v[1]).toPrecision(4) : ""));
  };

  pfd.explorerPurge = function (_filter, gridId) {
    try {
      const api = window.dash_ag_grid && window.dash_ag_grid.getApi(gridId);
      if (api) api.purgeInfiniteCache();
    } catch (err) {
      return ns.no_update; // the grid is not rendered yet: its first request reads the current filter anyway
    }
    return Date.now();
  };

  pfd.explorerOpen = function (selected, click, datasetId) {
    const trigger = ns.callback_context && ns.callback_context.triggered && ns.callback_context.triggered[0];
    if (!trigger || !datasetId) return ns.no_update;
    let record = null;
    if (trigger.prop_id.startsWith("explorer-grid") && Array.isArray(selected) && selected.length) record = selected[0].record;
    if (trigger.prop_id.startsWith("explorer-projection-graph") && click && click.points && click.points.length) {
      record = click.points[0].customdata;
    }
    if (record === null || record === undefined) return ns.no_update;
    return "/signals?dataset=" + encodeURIComponent(datasetId) + "&record=" + encodeURIComponent(record);
  };

  pfd.explorerMethod = function (method) {
    const hidden = { display: "none" };
    return [method === "tsne" ? {} : hidden, method === "umap" ? {} : hidden, method === "umap" ? {} : hidden];
  };
})();
