// @ts-check
// The search form: the words, and filters by direction, document type, urgency, a
// period (dd/mm/yyyy) and the order.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { codes, documentTypeLabel, urgencyLabel } from "../../labels.js";
import { navigate } from "../../state.js";
import { dateField } from "../../widgets.js";
import { searchHash } from "./terms.js";

const DIRECTIONS = [["incoming", "navIncoming"], ["outgoing", "navOutgoing"]];
const SORTS = [["relevance", "sortRelevance"], ["date", "sortNewest"]];

/** @typedef {import("./terms.js").Terms} Terms */

/** A select with "all" first. @param {string} id @param {string} name @param {string} all @param {string[][]} options @param {string} chosen */
function select(id, name, all, options, chosen) {
  return h("select", { id, name },
    all ? h("option", { value: "" }, all) : null,
    options.map(([value, label]) => h("option", { value, selected: value === chosen }, label)));
}

/** A day typed that is no day stops the search, said at its field. @param {import("../../components/date-field.js").DateField[]} fields */
function daysAreDays(fields) {
  for (const field of fields) {
    const problem = field.problem();
    field.input.setCustomValidity(problem || "");
    if (problem) {
      field.input.reportValidity();
      return false;
    }
  }
  return true;
}

/** @param {Terms} values */
export function searchForm(values) {
  const q = h("input", {
    type: "search", id: "search-q", name: "q", value: values.q, autocomplete: "off", maxlength: "1000",
    required: true, "aria-describedby": "search-hint",
  });
  const direction = select("search-direction", "direction", t("allDirections"), DIRECTIONS.map(([key, label]) => [key, t(label)]), values.direction);
  const type = select("search-type", "document_type", t("allTypes"), codes("document_types").map((k) => [k, documentTypeLabel(k)]), values.document_type);
  const urgency = select("search-urgency", "urgency", t("allUrgencies"), codes("urgencies").map((u) => [u, urgencyLabel(u)]), values.urgency);
  const from = dateField({ id: "search-from", name: "from", value: values.from, label: t("dateFrom") });
  const to = dateField({ id: "search-to", name: "to", value: values.to, label: t("dateTo") });
  const sort = select("search-sort", "sort", null, SORTS.map(([key, label]) => [key, t(label)]), values.sort || "relevance");
  /** @param {string} id @param {string} label @param {HTMLElement} control */
  const field = (id, label, control) => h("div", { class: "field" }, h("label", { for: id }, label), control);
  const form = h("form", { class: "search-form", role: "search", "aria-label": t("searchTitle") },
    h("div", { class: "search-main" },
      h("div", { class: "field grow" },
        h("label", { for: "search-q" }, t("searchQuery")),
        h("div", { class: "search-box" }, q, h("button", { type: "submit", class: "btn btn-primary" }, t("searchButton")))),
      h("p", { class: "hint", id: "search-hint" }, t("searchHint"), " ", t("searchHintPrefix"))),
    h("div", { class: "search-filters" },
      field("search-direction", t("searchDirection"), direction),
      field("search-type", t("documentType"), type),
      field("search-urgency", t("urgency"), urgency),
      field("search-from", t("dateFrom"), from.element),
      field("search-to", t("dateTo"), to.element),
      field("search-sort", t("searchSort"), sort)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!daysAreDays([from, to])) return;
    navigate(searchHash({
      q: q.value.trim(), direction: direction.value, document_type: type.value, urgency: urgency.value,
      from: from.value(), to: to.value(), sort: sort.value === "relevance" ? "" : sort.value,
    }));
  });
  for (const el of [direction, type, urgency, sort]) {
    el.addEventListener("change", () => { if (q.value.trim()) form.requestSubmit(); });
  }
  for (const day of [from, to]) day.input.addEventListener("input", () => day.input.setCustomValidity(""));
  return { form, q };
}
