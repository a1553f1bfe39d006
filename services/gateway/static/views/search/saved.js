// @ts-check
// Saved searches: a name for a search one runs often; each link reruns it, and the
// form under the results saves the search shown.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { lang, t } from "../../i18n.js";
import { searchHash, termsOf } from "./terms.js";

/** @typedef {import("./terms.js").Terms} Terms */

/** The list of saved searches (hidden while there is none); `draw()` reads it again. */
export function savedSearches() {
  const element = h("section", { class: "saved-searches", id: "saved-searches", "aria-labelledby": "saved-title", hidden: true });
  async function draw() {
    let items = [];
    try {
      items = (await api.savedSearches()).items || [];
    } catch {
      return;   // the list is a convenience: the search itself still works
    }
    element.hidden = !items.length;
    element.replaceChildren(
      h("h2", { id: "saved-title" }, t("savedSearches")),
      h("ul", {}, items.map((item) => h("li", {},
        h("a", { href: searchHash(item.params) }, item.name),
        h("button", {
          type: "button", class: "btn btn-link btn-small", "aria-label": t("forgetSavedSearchLabel", item.name),
          onclick: async () => {
            await api.deleteSavedSearch(item.id);
            draw();
          },
        }, t("forgetSavedSearch"))))));
  }
  return { element, draw };
}

/** "Save this search" under a name; `onSaved()` once it is. @param {Terms} values @param {() => void} onSaved */
export function saveForm(values, onSaved) {
  const name = h("input", { type: "text", id: "save-name", maxlength: "200", required: true, value: values.q });
  const error = h("p", { class: "field-error", id: "save-name-error", hidden: true });
  const status = h("span", { role: "status", class: "save-status" });
  const box = h("form", { class: "save-search", id: "save-search" },
    h("label", { for: "save-name" }, t("saveSearchName")), name,
    h("button", { type: "submit", class: "btn btn-secondary btn-small" }, t("saveSearch")), status, error);
  box.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    status.textContent = "";
    name.removeAttribute("aria-invalid");
    try {
      await api.saveSearch({ name: name.value.trim(), params: termsOf(values) });
      status.textContent = t("searchSaved");
      onSaved();
    } catch (failure) {
      error.textContent = failure.details?.name?.[lang()] || failure.message;
      error.hidden = false;
      name.setAttribute("aria-invalid", "true");
      name.setAttribute("aria-describedby", "save-name-error");
    }
  });
  return box;
}
