// @ts-check
// Sao văn bản: a clerk makes a bản sao (sao y, sao lục, trích sao) of a document the
// unit holds; it is numbered in the unit's copy register. Used by the incoming and the
// outgoing document screens.

import { ApiError, api } from "../api.js";
import { formatDate } from "../dates.js";
import { alertBox, h, loadingBox } from "../dom.js";
import { t } from "../i18n.js";
import { codes } from "../labels.js";
import { dataTable, errorPanel, errorSlotId, errorSummary, formErrors, formField } from "../widgets.js";

const FIELD_IDS = {
  form: "copy-form-SY",
  excerpt: "copy-excerpt",
  to_places: "copy-to_places",
};

/** The unit's copies of the document; `load()` reads them again. @param {Record<string, any>} doc @param {string} unitId */
function copiesList(doc, unitId) {
  const element = h("div", { class: "copies-list" });
  async function load() {
    element.replaceChildren(loadingBox());
    try {
      const result = await api.listCopies({ unit_id: unitId, document_id: doc.id, page_size: 50 });
      if (!result.items.length) {
        element.replaceChildren(h("p", { class: "muted" }, t("noCopies")));
        return;
      }
      element.replaceChildren(
        h("h3", {}, t("copiesList")),
        dataTable([
          { label: t("colCode"), className: "col-code", render: (c) => h("strong", {}, `${c.code_number}/${c.code_notation}`) },
          { label: t("colForm"), render: (c) => t(`form_${c.form}`) },
          { label: t("colCopyDate"), className: "col-date", render: (c) => formatDate(c.copied_date) },
          { label: t("copyExcerpt"), render: (c) => c.excerpt || t("none") },
        ], result.items, { caption: t("copiesList") }));
    } catch (error) {
      element.replaceChildren(errorPanel(error, load));
    }
  }
  return { element, load };
}

/** The kind of copy: sao y, sao lục, trích sao. */
function formGroup() {
  return h("fieldset", { class: "radio-group field field-wide" },
    h("legend", {}, t("copyForm")),
    h("p", { class: "field-error", id: errorSlotId(FIELD_IDS.form), hidden: true }),
    h("div", { class: "radio-row" }, codes("copy_forms").map((form) => h("label", { class: "radio" },
      h("input", { type: "radio", name: "copy-form", value: form, id: `copy-form-${form}`, checked: form === "SY" }),
      h("span", {}, t(`form_${form}`))))));
}

/**
 * The "Sao văn bản" panel for a document, the copy made in `unitId` (the caller is its clerk).
 * @param {Record<string, any>} doc @param {string} [unitId]
 */
export function copyPanel(doc, unitId = doc.unit_id) {
  const labels = { [FIELD_IDS.form]: t("copyForm") };
  const message = h("div", { class: "copy-message" });
  const summary = errorSummary();
  const excerpt = h("textarea", { name: "excerpt", rows: "3", maxlength: "1000" });
  const toPlaces = h("textarea", { name: "to_places", rows: "2", maxlength: "1000" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", id: "copy-submit" }, t("makeCopy"));
  const copies = copiesList(doc, unitId);
  const form = h("form", { class: "copy-form", novalidate: true, "aria-labelledby": "copy-title" },
    summary,
    h("div", { class: "form-grid" },
      formGroup(),
      formField(labels, FIELD_IDS.excerpt, t("copyExcerpt"), excerpt, { hint: t("copyExcerptHint"), wide: true }),
      formField(labels, FIELD_IDS.to_places, t("copyToPlaces"), toPlaces, { wide: true })),
    h("div", { class: "form-actions" }, submit));
  const errors = formErrors(form, summary, { labels, heading: t("copyErrorSummary"), controlFor: (key) => FIELD_IDS[key] || null });
  const chosenForm = () => /** @type {HTMLInputElement | null} */ (form.querySelector("input[name=copy-form]:checked"))?.value || "SY";
  const syncExcerpt = () => excerpt.setAttribute("aria-required", chosenForm() === "TS" ? "true" : "false");
  form.addEventListener("change", syncExcerpt);
  syncExcerpt();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    message.replaceChildren();
    /** @type {Record<string, any>} */
    const body = { document_id: doc.id, unit_id: unitId, form: chosenForm() };
    if (excerpt.value.trim()) body.excerpt = excerpt.value.trim();
    if (toPlaces.value.trim()) body.to_places = toPlaces.value.trim();
    submit.disabled = true;
    submit.textContent = t("working");
    form.setAttribute("aria-busy", "true");
    try {
      const copy = await api.createCopy(body);
      const code = `${copy.code_number}/${copy.code_notation}`;
      message.replaceChildren(alertBox("success", h("p", { id: "copy-made" }, t("copyMade", code, t(`form_${copy.form}`)))));
      excerpt.value = "";
      toPlaces.value = "";
      copies.load();
    } catch (error) {
      errors.show(error.message, error instanceof ApiError && error.status === 400 ? error.details : {});
    } finally {
      submit.disabled = false;
      submit.textContent = t("makeCopy");
      form.removeAttribute("aria-busy");
    }
  });

  copies.load();
  return h("section", { class: "panel", id: "doc-copy", "aria-labelledby": "copy-title" },
    h("h2", { id: "copy-title" }, t("copyTitle")),
    h("p", { class: "muted" }, t("copyIntro")),
    message,
    form,
    copies.element);
}
