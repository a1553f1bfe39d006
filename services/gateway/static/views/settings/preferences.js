// @ts-check
// The caller's notification channels: in-app always; e-mail when they ask for it and
// give an address, said plainly when this deployment sends no e-mail.

import { api } from "../../api.js";
import { formatDateTime } from "../../dates.js";
import { alertBox, h, loadingBox } from "../../dom.js";
import { t } from "../../i18n.js";
import { errorPanel, errorSummary, formErrors, formField } from "../../widgets.js";

/** The form of the preferences `prefs`; `onSaved(saved)` draws what was saved. @param {any} prefs @param {(saved: any) => void} onSaved */
function preferencesForm(prefs, onSaved) {
  const labels = { "pref-email-enabled": t("prefsEmailEnabled") };
  const summary = errorSummary();
  const status = h("div", { id: "pref-status", tabindex: "-1" });
  const enabled = h("input", { type: "checkbox", id: "pref-email-enabled", name: "email_enabled", checked: Boolean(prefs.email_enabled) });
  const email = h("input", {
    type: "email", name: "email", maxlength: "254", autocomplete: "email", spellcheck: "false",
    value: prefs.email || "", placeholder: "ten@co-quan.gov.vn",
  });
  const save = h("button", { type: "submit", class: "btn btn-primary", id: "pref-save" }, t("savePrefs"));
  const form = h("form", { class: "prefs-form", id: "pref-form", novalidate: true },
    summary,
    h("p", { class: "pref-inapp" }, "✓ ", t("prefsInApp")),
    prefs.email_available ? null : alertBox("info", h("p", { id: "pref-email-unavailable" }, t("prefsEmailUnavailable"))),
    h("div", { class: "field checkbox-field", id: "pref-email-enabled-field" },
      h("p", { class: "field-error", id: "pref-email-enabled-error", hidden: true }),
      h("label", { class: "checkbox" }, enabled, " ", t("prefsEmailEnabled"))),
    h("div", { class: "form-grid" },
      formField(labels, "pref-email", t("prefsEmail"), email, { hint: t("prefsEmailHint") })),
    prefs.updated_at ? h("p", { class: "hint" }, t("prefsUpdatedAt", formatDateTime(prefs.updated_at))) : null,
    h("div", { class: "form-actions" }, save),
    status);
  const errors = formErrors(form, summary, {
    labels, heading: t("prefsErrorSummary"),
    controlFor: (key) => ({ email: "pref-email", email_enabled: "pref-email-enabled" })[key] || null,
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    status.replaceChildren();
    save.disabled = true;
    try {
      onSaved(await api.setPreferences({ email_enabled: enabled.checked, email: email.value.trim() || null }));
    } catch (error) {
      save.disabled = false;
      errors.show(error.message, error.details);
    }
  });
  return { form, status };
}

export function preferencesPanel() {
  const body = h("div", {}, loadingBox());
  const panel = h("section", { class: "panel", id: "preferences", "aria-labelledby": "preferences-title" },
    h("h2", { id: "preferences-title" }, t("prefsTitle")), body);

  /** @param {any} prefs @param {boolean} [savedNow] */
  function draw(prefs, savedNow = false) {
    const { form, status } = preferencesForm(prefs, (saved) => draw(saved, true));
    body.replaceChildren(form);
    if (savedNow) {
      status.replaceChildren(alertBox("success", h("p", { id: "pref-saved" },
        prefs.email_enabled ? t("prefsSavedEmail", prefs.email) : t("prefsSaved"))));
      status.focus();
    }
  }

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      draw(await api.preferences());
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  load();
  return panel;
}
