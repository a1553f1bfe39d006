// @ts-check
// The tabs of the tasks list (with their open counts and my overdue ones) and its
// filters: state, and the document the tasks come from.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { codes, taskStateLabel } from "../../labels.js";
import { navigate } from "../../state.js";
import { listHash } from "./common.js";
import { documentRef } from "./document-ref.js";

/** @typedef {import("./list.js").ListChoice} ListChoice */

/**
 * The tabs; `counts` (open tasks by tab, and `overdue`) fill in as they are read. The
 * links are made once and `draw()` changes only their counts: a link replaced while it
 * is being clicked (the counts come in) would swallow the click.
 * @param {ListChoice} choice
 */
export function listTabs({ views, current, state, documentId }) {
  /** @type {Record<string, any>} */
  const counts = {};
  /** @type {Map<string, HTMLElement>} */
  const slots = new Map(views.map(([v]) => [v, h("span", { class: "tab-counts" })]));
  const element = h("nav", { class: "tabs", "aria-label": t("taskViews") },
    ...views.map(([v, key]) => h("a", {
      href: listHash({ view: v, state, page: 1, documentId }), id: `tab-${v}`,
      class: ["tab", v === current && "is-active"],
      "aria-current": v === current ? "page" : null,
    }, t(key), slots.get(v))));
  const draw = () => slots.forEach((slot, v) => slot.replaceChildren(
    counts[v] ? h("span", { class: "count" }, String(counts[v]),
      h("span", { class: "visually-hidden" }, ` ${t("taskOpenCount")}`)) : "",
    v === "mine" && counts.overdue ? h("span", { class: "count count-late", id: "tab-mine-overdue" },
      t("taskOverdueCount", counts.overdue)) : ""));
  draw();
  return { element, counts, draw };
}

/**
 * The filters. `onChange()` runs before a changed state filter opens the list again.
 * @param {ListChoice} choice
 * @param {() => void} onChange
 */
export function listFilters({ current, state, documentId }, onChange) {
  const stateSelect = h("select", { id: "task-state-filter", name: "state" },
    codes("task_states").map((s) => h("option", { value: s, selected: s === state }, taskStateLabel(s))),
    h("option", { value: "all", selected: !state }, t("allStates")));
  stateSelect.addEventListener("change", () => {
    onChange();
    navigate(listHash({ view: current, state: stateSelect.value === "all" ? "" : stateSelect.value, page: 1, documentId }));
  });
  const element = h("div", { class: "filter-bar task-filters", role: "group", "aria-label": t("filters") },
    h("div", { class: "field" }, h("label", { for: "task-state-filter" }, t("filterState")), stateSelect),
    documentId ? h("div", { class: "task-doc-filter", id: "task-doc-filter" },
      h("span", { class: "field-label" }, t("taskFilterDocument")),
      h("span", { class: "task-doc-filter-value" },
        documentRef(documentId, t("taskOpenDocument")),
        h("a", {
          href: listHash({ view: current, state, page: 1 }), class: "btn btn-link btn-small", id: "task-doc-filter-clear",
        }, t("taskFilterDocumentClear")))) : null);
  return { element, stateSelect };
}
