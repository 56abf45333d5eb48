/* Import page: uploads straight to POST /api/v1/uploads, one XMLHttpRequest per file (XHR rather than fetch:
 * only XHR reports upload progress), with the CSRF header; per-file progress and result in
 * #import-upload-progress; the uploaded files (object_key, file_name, size_bytes and the gateway's inspection of
 * the file: variables, detected sample rate and speed) go to the import-uploads store. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const PROGRESS = "import-upload-progress";

  function component(namespace, type, props) {
    return { namespace, type, props };
  }

  function fileRow(entry, index) {
    const done = entry.state === "done";
    const failed = entry.state === "failed";
    const bar = component("dash_bootstrap_components", "Progress", {
      value: entry.percent, color: failed ? "danger" : done ? "success" : "primary",
      striped: !done && !failed, animated: !done && !failed, className: "pfd-upload-bar",
    });
    const note = failed ? entry.message : done ? "uploaded" : entry.percent + " %";
    return component("dash_html_components", "Div", {
      id: "import-upload-file-" + index, className: "mb-2",
      children: [
        component("dash_html_components", "Div", {
          className: "d-flex justify-content-between small",
          children: [component("dash_html_components", "Span", { children: entry.name, className: "fw-semibold" }),
            component("dash_html_components", "Span", {
              children: note, className: failed ? "text-danger pfd-upload-error" : "text-body-secondary" })],
        }),
        bar,
      ],
    });
  }

  function show(entries, busy) {
    ns.set_props(PROGRESS, { children: entries.map(fileRow) });
    ns.set_props("import-upload", { disabled: busy });
  }

  /** The error text of a failed upload (the gateway's messages name the file). */
  function failure(xhr, name) {
    let detail = null;
    try {
      detail = JSON.parse(xhr.responseText).detail;
    } catch (err) {
      detail = null;
    }
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail) && detail.length) return detail.map((d) => d.msg).join("; ");
    return name + ": upload failed (" + (xhr.status || "network error") + ")";
  }

  function send(url, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.open("POST", url);
      xhr.withCredentials = true;
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", pfd.cookie("pfd_csrf"));
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(Math.round((100 * event.loaded) / event.total));
      };
      xhr.onload = () => (xhr.status === 201 ? resolve(JSON.parse(xhr.responseText))
        : reject(new Error(failure(xhr, file.name))));
      xhr.onerror = () => reject(new Error(failure(xhr, file.name)));
      xhr.send(form);
    });
  }

  function refusal(file, config) {
    const suffix = file.name.includes(".") ? file.name.slice(file.name.lastIndexOf(".")).toLowerCase() : "";
    if (!config.suffixes.includes(suffix)) {
      return file.name + ": unsupported file type; use " + config.suffixes.join(", ");
    }
    if (file.size > config.maxBytes) return file.name + ": larger than " + config.maxBytes.toLocaleString() + " bytes";
    if (file.size === 0) return file.name + ": the file is empty";
    return null;
  }

  /** The files the user picks in the browser's file chooser (none when the chooser is cancelled). The input is
   * made here: Dash has no file input component and dcc.Upload would read every file into the page as base64. */
  function choose(accept) {
    return new Promise((resolve) => {
      const input = Object.assign(document.createElement("input"), { type: "file", multiple: true, accept });
      input.className = "d-none";
      input.id = "import-files";
      const finish = (files) => {
        input.remove();
        resolve(files);
      };
      input.addEventListener("change", () => finish(Array.from(input.files || [])));
      input.addEventListener("cancel", () => finish([]));
      document.body.appendChild(input);
      input.click();
    });
  }

  /** Upload the chosen files one by one (upload button) or forget the list (Clear button). */
  pfd.importUpload = async function (_upload, _clear, uploads, config) {
    if (ns.callback_context.triggered_id === "import-clear") {
      ns.set_props(PROGRESS, { children: [] });
      return [];
    }
    const files = await choose(config.accept);
    if (!files.length) return ns.no_update;
    const entries = files.map((file) => ({ name: file.name, percent: 0, state: "waiting", message: "" }));
    const uploaded = (uploads || []).slice();
    show(entries, true);
    for (let i = 0; i < files.length; i += 1) {
      const entry = entries[i];
      const refused = refusal(files[i], config);
      try {
        if (refused) throw new Error(refused);
        const result = await send(config.url, files[i], (percent) => {
          entry.percent = percent;
          show(entries, true);
        });
        uploaded.push({ object_key: result.object_key, file_name: result.file_name, size_bytes: result.size_bytes,
          inspection: result.inspection });
        Object.assign(entry, { percent: 100, state: "done" });
      } catch (err) {
        Object.assign(entry, { percent: 100, state: "failed", message: err.message });
      }
      show(entries, true);
    }
    show(entries, false);
    return uploaded;
  };
})();
