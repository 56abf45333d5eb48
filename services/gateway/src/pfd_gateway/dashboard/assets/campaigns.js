/* HPO campaigns (clientside): the search-space editor's rows (add, remove selected, a model's proposed space) and
 * the live refresh — a pushed campaign frame of the chosen campaign, or a training frame of one of its trials'
 * experiments, bumps campaigns-refresh so the server re-renders the campaign (no polling). */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const TRIAL_TYPES = ["training.epoch_completed", "training.completed", "training.evaluation_completed",
                       "training.failed", "training.cancelled"];

  function triggered(id) {
    return ns.callback_context.triggered.some((t) => t.prop_id.startsWith(id + "."));
  }

  pfd.campaignsSpaceRows = function (_add, _remove, model, rows, selected, config) {
    const current = (rows || []).slice();
    if (triggered("campaigns-model")) return JSON.parse(JSON.stringify((config.defaults || {})[model] || []));
    if (triggered("campaigns-space-add")) return current.concat([Object.assign({}, config.blank)]);
    if (triggered("campaigns-space-remove")) {
      const names = (selected || []).map((row) => row.name);
      return current.filter((row) => !names.includes(row.name));
    }
    return ns.no_update;
  };

  pfd.campaignsRefresh = function (campaignFrame, training, campaignId, experiments, count) {
    if (!campaignId) return ns.no_update;
    if (triggered("live-campaigns")) {
      const payload = ((campaignFrame || {}).data || {}).payload || {};
      return payload.campaign_id === campaignId ? (count || 0) + 1 : ns.no_update;
    }
    const ids = experiments || [];
    const relevant = ((training && training.frames) || []).some((frame) => {
      const payload = (frame.data || {}).payload || {};
      return TRIAL_TYPES.includes(frame.type) && ids.includes(payload.experiment_id);
    });
    return relevant ? (count || 0) + 1 : ns.no_update;
  };
})();
