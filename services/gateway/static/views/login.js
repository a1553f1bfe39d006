// @ts-check
import { api } from "../api.js";
import { session } from "../session.js";
import { alertBox, h } from "../dom.js";
import { t } from "../i18n.js";
import { takeFlash } from "../state.js";

export function renderLogin(view, params, query, { onLoggedIn }) {
  const flash = takeFlash();
  const message = h("div", { id: "login-message" }, flash ? alertBox(flash.kind, flash.text) : null);
  const username = h("input", {
    id: "login-username", name: "username", type: "text", autocomplete: "username",
    autocapitalize: "none", spellcheck: "false", required: true,
  });
  const password = h("input", {
    id: "login-password", name: "password", type: "password", autocomplete: "current-password",
    required: true,
  });
  const button = h("button", { type: "submit", class: "btn btn-primary btn-block" }, t("loginButton"));

  const form = h("form", { class: "login-form", novalidate: true, "aria-labelledby": "page-title" },
    h("div", { class: "field" },
      h("label", { for: "login-username" }, t("username")), username),
    h("div", { class: "field" },
      h("label", { for: "login-password" }, t("password")), password),
    button);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    if (!username.value.trim() || !password.value) {
      message.append(alertBox("error", t("loginMissing")));
      (username.value.trim() ? password : username).focus();
      return;
    }
    button.disabled = true;
    button.textContent = t("loggingIn");
    try {
      const result = await api.login(username.value.trim(), password.value);
      session.signIn(result);
      onLoggedIn();
    } catch (error) {
      message.append(alertBox("error", error.message));
      password.value = "";
      password.focus();
    } finally {
      button.disabled = false;
      button.textContent = t("loginButton");
    }
  });

  // The organisation's directory: a button for OpenID Connect, a hint for LDAP (which
  // works through the same form), shown once the gateway says they are configured.
  const directory = h("div", { id: "login-directory" });
  view.append(h("section", { class: "login-card" },
    h("div", { class: "login-brand", "aria-hidden": "true" },
      h("span", { class: "emblem" }, "eO")),
    h("h1", { id: "page-title", tabindex: "-1" }, t("loginTitle")),
    h("p", { class: "muted" }, t("loginIntro")),
    message,
    form,
    directory,
    h("p", { class: "login-foot" }, h("a", { href: "#/status" }, t("systemStatusLink")))));
  showDirectoryMethods(directory, form);
  if (query.get("oidc") === "done") finishOidc(message, onLoggedIn);
  else if (query.get("oidc") === "failed") {
    history.replaceState(null, "", "#/login");
    message.append(alertBox("error", t("loginOidcFailed")));
  }
  return { title: t("loginTitle"), focus: username };
}

async function showDirectoryMethods(directory, form) {
  let methods;
  try {
    methods = await api.authMethods();
  } catch {
    return;   // the password form still works
  }
  if (methods?.ldap) {
    form.before(h("p", { class: "muted login-hint", id: "login-ldap-hint" }, t("loginLdapHint")));
  }
  if (methods?.oidc?.start_url) {
    directory.append(
      h("p", { class: "login-or" }, t("loginOr")),
      h("a", { id: "login-oidc", class: "btn btn-secondary btn-block", href: methods.oidc.start_url },
        t("loginOidc")));
  }
}

// Back from the OpenID provider: the gateway keeps the session in an HttpOnly cookie
// for a minute; this exchanges it (by POST) for the token, which never sits in a URL.
async function finishOidc(message, onLoggedIn) {
  history.replaceState(null, "", "#/login");
  message.replaceChildren(alertBox("info", t("loginOidcFinishing")));
  try {
    const result = await api.oidcSession();
    session.set(result.access_token, result.user, result.expires_in);
    onLoggedIn();
  } catch {
    message.replaceChildren(alertBox("error", t("loginOidcFailed")));
  }
}
