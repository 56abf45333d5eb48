/* Shell clientside callbacks: theme (persisted by the shell-theme localStorage store), API calls, logout. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});
  const root = document.documentElement;

  function preferred() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setTheme(theme) {
    root.setAttribute("data-bs-theme", theme === "dark" ? "dark" : "light");
  }

  // Apply the stored theme before the first render (Dash keeps the store as JSON under its id).
  try {
    setTheme(JSON.parse(window.localStorage.getItem("shell-theme")) || preferred());
  } catch (err) {
    setTheme(preferred());
  }

  pfd.toggleTheme = function (_clicks, theme) {
    return (theme || root.getAttribute("data-bs-theme") || preferred()) === "dark" ? "light" : "dark";
  };

  pfd.applyTheme = function (theme) {
    const chosen = theme || preferred();
    setTheme(chosen);
    return chosen === "dark" ? "bi bi-sun" : "bi bi-moon-stars";
  };

  pfd.cookie = function (name) {
    const match = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
    return match ? decodeURIComponent(match.slice(name.length + 1)) : "";
  };

  /** JSON call to the gateway API; state-changing methods send the CSRF header. Throws Error(detail). */
  pfd.api = async function (method, url, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (!["GET", "HEAD", "OPTIONS"].includes(method)) headers["X-CSRF-Token"] = pfd.cookie("pfd_csrf");
    const response = await fetch(url, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (err) {
      data = { detail: text };
    }
    if (!response.ok) {
      const detail = data && data.detail;
      const message = typeof detail === "string" ? detail
        : Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : "Request failed (" + response.status + ").";
      const error = new Error(message);
      error.status = response.status;
      error.code = data && data.code;
      error.correlationId = response.headers.get("X-Correlation-ID");
      throw error;
    }
    return data;
  };

  pfd.logout = async function () {
    try {
      await pfd.api("POST", "/api/v1/auth/logout");
    } catch (err) {
      if (err.status !== 401) {
        window.alert("Logout failed: " + err.message);
        return ns.no_update;
      }
    }
    window.location.assign("/login");
    return Date.now();
  };
})();

/* Generic page helpers. */
(function () {
  "use strict";
  const ns = window.dash_clientside;
  /** Pass a pushed value on unless the page's pause switch is on. */
  ns.pfd.gate = function (value, paused) {
    return paused ? ns.no_update : value;
  };
  ns.pfd.pausedBadge = function (paused) {
    return paused ? "ms-1" : "d-none";
  };
})();
