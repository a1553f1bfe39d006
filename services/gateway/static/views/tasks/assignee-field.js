// @ts-check
// Whom a task goes to: a leader (or whoever splits a task) searches the people of the
// unit and of the units below it; anyone else gives tasks to themselves.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { session } from "../../session.js";
import { assigneePicker, chosenCard } from "../../widgets.js";
import { me } from "./common.js";

/** @typedef {import("../../components/assignee-picker.js").Assignee} Assignee */
/**
 * @typedef {{element: HTMLElement, value: () => string | null, controlId: string | null}} AssigneeField
 *   `controlId`: where problems with assignee_id are shown
 */

/** The caller themselves, said plainly. @param {string} prefix @param {string} legend @returns {AssigneeField} */
function selfField(prefix, legend) {
  const self = session.user;
  return {
    element: h("div", {
      class: "field field-wide", id: `${prefix}-self`, role: "group",
      "aria-labelledby": `${prefix}-self-label`, "aria-describedby": `${prefix}-self-hint`,
    },
    h("span", { class: "field-label", id: `${prefix}-self-label` }, legend),
    h("div", { class: "recipient", id: `${prefix}-chosen` },
      h("span", { class: "recipient-main" },
        h("span", { class: "recipient-name" }, self?.full_name || self?.username || ""),
        h("span", { class: "cell-meta" }, t("taskSelf")))),
    h("p", { class: "hint", id: `${prefix}-self-hint` }, t("taskSelfHint"))),
    value: () => me(),
    controlId: null,
  };
}

/**
 * @param {{prefix: string, unitId: string, choose: boolean, preselect?: Assignee | null, legend: string, hint?: string}} options
 *   `choose`: false gives the task to the caller; `preselect` starts chosen.
 * @returns {AssigneeField}
 */
export function assigneeField({ prefix, unitId, choose, preselect = null, legend, hint }) {
  if (!choose) return selfField(prefix, legend);
  let chosen = preselect;
  const chosenBox = h("div", { class: "assignee-chosen", id: `${prefix}-chosen`, "aria-live": "polite" });
  const picker = assigneePicker({
    prefix, unitId, units: false, buttonLabel: t("taskChooseAssignee"),
    isTaken: (a) => chosen?.user_id === a.user_id,
    onPick: (a) => { chosen = a; draw(); },
  });
  function draw() {
    chosenBox.replaceChildren(chosenCard(chosen, {
      empty: t("taskNoAssigneeYet"), removeLabel: (name) => t("removeAssignee", name),
      onRemove: () => { chosen = null; draw(); picker.input.focus(); },
    }));
    picker.redraw();
  }
  draw();
  return {
    element: h("fieldset", { class: "section assign-section field-wide task-assignee", id: `${prefix}-group` },
      h("legend", {}, legend, h("span", { class: "req", "aria-hidden": "true" }, " *")),
      hint ? h("p", { class: "hint section-hint" }, hint) : null,
      chosenBox, picker.element),
    value: () => chosen?.user_id || null,
    controlId: `${prefix}-search`,
  };
}
