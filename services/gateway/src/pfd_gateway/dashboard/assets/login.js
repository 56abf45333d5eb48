/* Login form: validated in the browser, posted to the auth API; errors show next to the form. */
(function () {
  "use strict";
  const ns = (window.dash_clientside = window.dash_clientside || {});
  const pfd = (ns.pfd = ns.pfd || {});

  function alert(message) {
    return { namespace: "dash_bootstrap_components", type: "Alert",
             props: { children: message, color: "danger", className: "py-2 small", id: "login-error-alert" } };
  }

  pfd.login = async function (_submits, email, password, totp, next) {
    const address = (email || "").trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(address)) return alert("Enter the email address of your account.");
    if (!password) return alert("Enter your password.");
    const code = (totp || "").replace(/\s+/g, "");
    if (code && !/^\d{6,8}$/.test(code)) return alert("The authentication code is the 6-digit number from your app.");
    const body = { email: address, password: password };
    if (code) body.totp_code = code;
    try {
      await pfd.api("POST", "/api/v1/auth/login", body);
    } catch (err) {
      if (err.code === "totp_required") return alert("Enter the authentication code from your app, then sign in.");
      return alert(err.message || "Sign-in failed.");
    }
    window.location.assign(next || "/");
    return null;
  };
})();
