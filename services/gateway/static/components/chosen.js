// @ts-check
// What a picker has chosen: a name, what it is, and a button to take it back.

import { h } from "../dom.js";
import { t } from "../i18n.js";

/**
 * The chosen one as a card ("recipient"), or the `empty` line when nothing is chosen.
 * @param {{name: string, meta?: string | null} | null} chosen
 * @param {{empty: string, removeLabel: (name: string) => string, onRemove: () => void}} options
 */
export function chosenCard(chosen, { empty, removeLabel, onRemove }) {
  if (!chosen) return h("p", { class: "muted recipient-empty" }, empty);
  return h("div", { class: "recipient" },
    h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, chosen.name),
      chosen.meta ? h("span", { class: "cell-meta" }, chosen.meta) : null),
    h("button", {
      type: "button", class: "btn btn-link btn-small", "aria-label": removeLabel(chosen.name), onclick: onRemove,
    }, t("remove")));
}
