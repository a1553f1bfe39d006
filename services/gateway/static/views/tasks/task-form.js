// @ts-check
// The form giving a task (or, with `parent`, a sub-task of it): title, description,
// assignee, deadline and, for a task of its own, the document it comes from. The
// server's problems are shown next to their fields.

import { api } from "../../api.js";
import { formatDate, todayIso } from "../../dates.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { session } from "../../session.js";
import { leadsUnit } from "../../state.js";
import { dateField, stepForm } from "../../widgets.js";
import { assigneeField } from "./assignee-field.js";
import { documentField } from "./document-field.js";

/**
 * @typedef {object} TaskFormOptions
 * @property {string} id the step form's id
 * @property {string} prefix the controls' id prefix
 * @property {string} title
 * @property {string} [intro]
 * @property {string} unitId the unit the task is given in
 * @property {Record<string, any> | null} [parent] the task a sub-task is split from
 * @property {string | null} [documentId] the document chosen at first
 * @property {() => void} cancel
 * @property {(task: Record<string, any>) => void | Promise<void>} onGiven runs once the task is given
 */

/** @param {Record<string, any> | null} parent */
function dueHint(parent) {
  return parent?.due_date ? t("taskSubDueHint", formatDate(parent.due_date)) : t("taskDueHint");
}

/** The assignee: a sub-task starts as the caller's own; whoever splits a task may give it to others. @param {TaskFormOptions} options */
function assigneeOf({ prefix, unitId, parent = null }) {
  const self = session.user;
  return assigneeField({
    prefix: `${prefix}-assignee`, unitId,
    choose: Boolean(parent) || leadsUnit(unitId),
    preselect: parent && self ? { user_id: self.id, name: self.full_name || self.username, meta: t("taskSelf") } : null,
    legend: t("taskAssignee"),
    hint: parent ? t("taskSubAssigneeHint") : t("taskAssigneeHint"),
  });
}

/** @param {TaskFormOptions} options */
export function taskForm(options) {
  const { id, prefix, title, intro, unitId, parent = null, documentId = null, cancel, onGiven } = options;
  const titleInput = h("input", { type: "text", name: "title", maxlength: "500", autocomplete: "off" });
  const description = h("textarea", { name: "description", rows: "3", maxlength: "2000" });
  const due = dateField({ name: "due_date", min: todayIso(), max: parent?.due_date || null, label: t("taskDue") });
  const assignee = assigneeOf(options);
  const documentPicker = parent ? null : documentField(`${prefix}-document`, documentId ? { document_id: documentId } : null);
  const controls = {
    title: `${prefix}-title`, description: `${prefix}-description`, due_date: `${prefix}-due`,
    assignee_id: assignee.controlId, document_id: parent ? null : `${prefix}-document-search`,
  };
  const { form } = stepForm({
    id, title, intro,
    labels: { [`${prefix}-assignee-search`]: t("taskAssignee"), [`${prefix}-document-search`]: t("taskDocumentOptional") },
    fields: [
      { id: controls.title, label: t("taskTitle"), control: titleInput, required: true, wide: true },
      { id: controls.description, label: t("taskDescriptionOptional"), control: description, wide: true },
      assignee.element,
      { id: controls.due_date, label: t("taskDue"), control: due, hint: dueHint(parent) },
      documentPicker?.element,
    ],
    confirmLabel: parent ? t("taskAddSubConfirm") : t("taskGiveConfirm"),
    controlFor: (key) => controls[key] || null,
    dates: { due_date: due },
    cancel,
    submit: async (errors) => {
      const assigneeId = assignee.value();
      if (!assigneeId) {
        errors.show(null, { assignee_id: t("taskAssigneeRequired") });
        return;
      }
      /** @type {Record<string, any>} */
      const body = { title: titleInput.value.trim(), assignee_id: assigneeId };
      if (parent) body.parent_id = parent.id;
      else body.unit_id = unitId;
      if (description.value.trim()) body.description = description.value.trim();
      if (due.value()) body.due_date = due.value();
      const documentChosen = documentPicker?.value();
      if (documentChosen) body.document_id = documentChosen;
      onGiven(await api.createTask(body));
    },
  });
  return { form, focus: titleInput };
}
