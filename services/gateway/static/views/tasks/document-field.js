// @ts-check
// The document a task comes from: found by the full-text search, or given.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { chosenCard, codeOf, errorSlotId, liveSearch } from "../../widgets.js";

const SEARCH_DELAY_MS = 300;

/** @typedef {{document_id: string, subject?: string, meta?: string}} ChosenDocument */

/** What names a document in a list: its code and số đến. @param {any} d */
const describe = (d) => [d.code_number ? codeOf(d) : null,
  d.arrival_number != null ? `${t("arrivalNumber")} ${d.arrival_number}` : null].filter(Boolean).join(" · ");

/**
 * The search's parts: its input, button, status line and results.
 * @param {string} prefix
 */
function searchParts(prefix) {
  return {
    input: h("input", {
      type: "search", id: `${prefix}-search`, name: "document_search", autocomplete: "off", maxlength: "200",
      "aria-controls": `${prefix}-results`, "aria-describedby": `${prefix}-search-hint`,
    }),
    button: h("button", { type: "button", class: "btn btn-secondary", id: `${prefix}-search-button` }, t("searchUnits")),
    status: h("p", { class: "hint search-status", role: "status", "aria-live": "polite" }),
    results: h("ul", { class: "unit-results", id: `${prefix}-results` }),
  };
}

/**
 * @param {string} prefix ids "<prefix>-search", "<prefix>-chosen"…
 * @param {ChosenDocument | null} [initial]
 * @returns {{element: HTMLElement, value: () => string | null}}
 */
export function documentField(prefix, initial = null) {
  let chosen = initial;
  /** @type {any[]} */
  let found = [];
  const { input, button, status, results } = searchParts(prefix);
  const chosenBox = h("div", { class: "assignee-chosen", id: `${prefix}-chosen`, "aria-live": "polite" });

  /** @param {any} d */
  function pick(d) {
    chosen = { document_id: d.document_id, subject: d.subject, meta: describe(d) };
    found = [];
    input.value = "";
    draw();
    status.textContent = t("assigneeChosen", d.subject);
    input.focus();
  }
  function draw() {
    chosenBox.replaceChildren(chosenCard(chosen && { name: chosen.subject || t("taskDocument"), meta: chosen.meta }, {
      empty: t("taskNoDocument"), removeLabel: () => t("taskRemoveDocument", chosen.subject || ""),
      onRemove: () => { chosen = null; draw(); input.focus(); },
    }));
    results.replaceChildren(...found.map((d) => h("li", { class: "unit-result" },
      h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, d.subject),
        h("span", { class: "cell-meta" }, describe(d))),
      h("button", {
        type: "button", class: "btn btn-secondary btn-small", "aria-label": `${t("taskLinkDocument")}: ${d.subject}`,
        onclick: () => pick(d),
      }, t("taskLinkDocument")))));
  }

  liveSearch({
    input, button, status, delayMs: SEARCH_DELAY_MS,
    show: (items) => { found = items; draw(); },
    async find(q) {
      const items = (await api.search({ q, page_size: 8 })).items || [];
      return { items, message: items.length ? t("taskDocumentsFound", items.length) : t("taskNoDocumentFound") };
    },
  });
  if (initial?.document_id && !initial.subject) {
    api.getIncoming(initial.document_id).then((doc) => {
      if (chosen?.document_id !== doc.id) return;
      chosen = { document_id: doc.id, subject: doc.subject, meta: describe(doc) };
      draw();
    }).catch(() => {});
  }
  draw();
  return {
    element: h("div", { class: "field field-wide picker task-document" },
      h("label", { for: `${prefix}-search` }, t("taskDocumentOptional")),
      h("p", { class: "hint", id: `${prefix}-search-hint` }, t("taskDocumentHint")),
      h("p", { class: "field-error", id: errorSlotId(`${prefix}-search`), hidden: true }),
      chosenBox,
      h("div", { class: "search-box" }, input, button),
      status,
      results),
    value: () => chosen?.document_id || null,
  };
}
