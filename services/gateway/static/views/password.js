// @ts-check
// Changing one's own password (POST /auth/password): at any time from the settings, and
// as the only thing allowed after an administrator's reset. The server checks the
// policy (at least 10 characters, not holding the username) and answers with a new
// session: every other session of the person ends.

import { api } from "../api.js";
import { session } from "../session.js";
import { alertBox, h, pageHeading } from "../dom.js";
import { t } from "../i18n.js";
import { setFlash } from "../state.js";

const MIN_LENGTH = 10;

/** #/password. @param {HTMLElement} view @param {any} params @param {any} query @param {{onLoggedIn: () => void}} shell */
export function renderPassword(view, params, query, { onLoggedIn }) {
  const forced = session.mustChangePassword;
  const message = h("div", { id: "password-message" });
  /**
   * @param {string} id @param {string} label @param {string} autocomplete @param {string} [hint]
   * @returns {[HTMLInputElement, HTMLDivElement]}
   */
  const field = (id, label, autocomplete, hint) => {
    const input = h("input", { id, name: id, type: "password", autocomplete, required: true,
      "aria-describedby": hint ? `${id}-hint` : null });
    return [input, h("div", { class: "field" }, h("label", { for: id }, label), input,
      hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null)];
  };
  const [oldInput, oldField] = field("password-old", t("passwordOld"), "current-password");
  const [newInput, newField] = field("password-new", t("passwordNew"), "new-password",
    t("passwordPolicy", MIN_LENGTH));
  const [againInput, againField] = field("password-again", t("passwordAgain"), "new-password");
  const button = h("button", { type: "submit", class: "btn btn-primary", id: "password-submit" }, t("passwordSave"));
  const form = h("form", { class: "panel password-form", novalidate: true, "aria-labelledby": "page-title" },
    oldField, newField, againField, button);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    if (newInput.value.length < MIN_LENGTH) {
      message.append(alertBox("error", t("passwordPolicy", MIN_LENGTH)));
      newInput.focus();
      return;
    }
    if (newInput.value !== againInput.value) {
      message.append(alertBox("error", t("passwordMismatch")));
      againInput.focus();
      return;
    }
    button.disabled = true;
    try {
      session.signIn(await api.changePassword(oldInput.value, newInput.value));
      setFlash("success", t("passwordChanged"));
      onLoggedIn();
    } catch (error) {
      const details = Object.values(error.details || {}).join(" ");
      message.append(alertBox("error", error.message, details ? ` ${details}` : ""));
      (error.details?.old_password ? oldInput : newInput).focus();
    } finally {
      button.disabled = false;
    }
  });

  view.append(
    pageHeading(t("passwordTitle")),
    forced ? alertBox("warning", t("passwordForced")) : h("p", { class: "muted page-sub" }, t("passwordIntro")),
    message,
    form);
  return { title: t("passwordTitle"), focus: oldInput };
}
