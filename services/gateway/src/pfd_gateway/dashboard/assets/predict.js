/* Predict page: the version input only for "a version…", the batch source's controls, the chosen file's name
 * (all clientside: no server round trip). */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const HIDDEN = "d-none";

  pfd.predictVersion = function (alias) {
    return alias === "version" ? "" : HIDDEN;
  };

  pfd.predictBatchSource = function (source) {
    return source === "csv" ? [HIDDEN, ""] : ["", HIDDEN];
  };

  pfd.predictFileName = function (fileName) {
    return fileName ? fileName : ns.no_update;
  };
})();
