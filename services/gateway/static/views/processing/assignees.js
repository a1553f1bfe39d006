// @ts-check
// Whom a leader assigns a document to: one lead (with a deadline), co-handlers (each with
// a deadline) and units or people for information, each found with the assignee search
// and listed with a button to take them off again.

import { parseDay, todayIso } from "../../dates.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { assigneePicker, chosenCard, dateField } from "../../widgets.js";

/** @typedef {import("../../components/assignee-picker.js").Assignee} Assignee */
/** A co-handler or a unit informed, with the deadline as typed. @typedef {Assignee & {dueText?: string}} Listed */

/**
 * A co-handler's deadline, as typed (dd/mm/yyyy); kept on `a` as it changes.
 * @param {Listed} a @param {string} prefix @param {number} index @param {Record<string, string>} labels
 */
function dueInput(a, prefix, index, labels) {
  const id = `${prefix}-due-${index}`;
  labels[id] = `${a.name} — ${t("dueDate")}`;
  const field = dateField({ id, name: id, min: todayIso(), label: `${t("dueDate")}: ${a.name}`, unlabelled: true });
  field.input.value = a.dueText || "";
  field.input.addEventListener("input", () => { a.dueText = field.input.value; });
  return h("span", { class: "field assignee-due" },
    h("label", { for: id }, t("dueDate")),
    h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
    field.element);
}

/**
 * The lists and their searches for the document of `unitId`; `labels` gets the names of
 * the controls for the error summary.
 * @param {string} unitId
 * @param {Record<string, string>} labels
 */
export function assigneeLists(unitId, labels) {
  /** @type {{chosen: Assignee | null}} */
  const lead = { chosen: null };
  /** @type {Listed[]} */
  const co = [];
  /** @type {Listed[]} */
  const info = [];
  /** @param {Assignee} a */
  const taken = (a) => [lead.chosen, ...co, ...info].some((x) => x && (a.unit_id ? x.unit_id === a.unit_id : x.user_id === a.user_id));
  const leadChosen = h("div", { class: "assignee-chosen", id: "as-lead-chosen", "aria-live": "polite" });
  const coList = h("ul", { class: "assignee-list", id: "as-co-list" });
  const infoList = h("ul", { class: "assignee-list", id: "as-info-list" });

  /** @param {Listed[]} list @param {HTMLElement} el @param {string} prefix @param {boolean} withDue */
  const drawList = (list, el, prefix, withDue) => {
    el.replaceChildren(...(list.length ? list.map((a, index) => h("li", { class: "recipient" },
      h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, a.name),
        h("span", { class: "cell-meta" }, a.meta)),
      withDue ? dueInput(a, prefix, index, labels) : null,
      h("button", {
        type: "button", class: "btn btn-link btn-small", "aria-label": t("removeAssignee", a.name),
        onclick: () => { list.splice(index, 1); redraw(); },
      }, t("remove"))))
      : [h("li", { class: "muted recipient-empty" }, t("noneChosen"))]));
  };
  /** @param {string} prefix @param {string} buttonLabel @param {(a: Assignee) => void} onPick */
  const picker = (prefix, buttonLabel, onPick) => assigneePicker({ prefix, buttonLabel, unitId, isTaken: taken, onPick });
  const pickers = {
    lead: picker("as-lead", t("chooseLead"), (a) => { lead.chosen = a; redraw(); }),
    co: picker("as-co", t("addCoHandler"), (a) => { co.push({ ...a, dueText: "" }); redraw(); }),
    info: picker("as-info", t("addForInfo"), (a) => { info.push(a); redraw(); }),
  };
  function redraw() {
    leadChosen.replaceChildren(chosenCard(lead.chosen, {
      empty: t("noLeadYet"), removeLabel: (name) => t("removeAssignee", name),
      onRemove: () => { lead.chosen = null; redraw(); pickers.lead.input.focus(); },
    }));
    drawList(co, coList, "as-co", true);
    drawList(info, infoList, "as-info", false);
    Object.values(pickers).forEach((p) => p.redraw());
  }
  redraw();
  return { lead, co, info, leadChosen, coList, infoList, pickers };
}

/** {unit_id} or {user_id}, as the API takes an assignee. @param {Assignee} a */
export const who = (a) => (a.unit_id ? { unit_id: a.unit_id } : { user_id: a.user_id });

/**
 * The co-handlers as the API takes them, and the problems of deadlines that are no day.
 * @param {Listed[]} co
 */
export function coHandlers(co) {
  /** @type {Record<string, string>} */
  const problems = {};
  const handlers = co.map((a, index) => {
    const text = (a.dueText || "").trim();
    const due = text ? parseDay(text) : "";
    if (due === null) problems[`co_handlers[${index}].due_date`] = t("dateInvalid");
    return { ...who(a), ...(due ? { due_date: due } : {}) };
  });
  return { handlers, problems };
}
