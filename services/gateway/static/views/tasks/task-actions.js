// @ts-check
// The steps the caller may take on a task (the API's allowed_actions): record progress,
// complete it, cancel it; each opens its form under the buttons.

import { ApiError, api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { hooks } from "../../state.js";
import { stepForm } from "../../widgets.js";
import { taskMay } from "./common.js";

/** @typedef {import("./task.js").TaskPage} TaskPage */
/** @typedef {{page: TaskPage, slot: HTMLElement, trigger: HTMLButtonElement, buttons: HTMLButtonElement[]}} Opening */

/**
 * Send an update. Refused because the task moved on meanwhile (closed, or no longer the
 * caller's): show where it stands now. Refused while it is still open (a sub-task is
 * open): the form says why.
 * @param {TaskPage} page @param {Record<string, any>} body @param {string} doneText
 */
async function update(page, body, doneText) {
  let result;
  try {
    result = await api.updateTask(page.id, body);
  } catch (error) {
    if (error instanceof ApiError && [403, 409].includes(error.status)) {
      const fresh = await api.getTask(page.id).catch(() => null);
      if (!fresh || fresh.state === "open") throw error;
      await page.draw(fresh);
      page.say("error", error.message);
      return;
    }
    throw error;
  }
  await page.draw(await api.getTask(page.id).catch(() => ({ ...page.task, ...result })));
  page.say("success", doneText);
  hooks.refreshCounts();
}

/** Show `form` under the buttons, `trigger` marked as open. @param {Opening} opening @param {HTMLFormElement} form @param {HTMLElement} focus */
function show({ page, slot, trigger, buttons }, form, focus) {
  page.clearMessage();
  for (const b of buttons) b.setAttribute("aria-expanded", String(b === trigger));
  slot.replaceChildren(form);
  focus.focus();
}

/** @param {Opening} opening */
function closer({ slot, trigger }) {
  return () => {
    slot.replaceChildren();
    trigger.setAttribute("aria-expanded", "false");
    trigger.focus();
  };
}

/** @param {Opening} opening */
function openProgress(opening) {
  const percent = h("input", {
    type: "number", name: "percent", min: "0", max: "100", step: "5", inputmode: "numeric",
    value: String(opening.page.task.progress ?? 0),
  });
  const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
  const { form } = stepForm({
    id: "task-progress", title: t("actionProgress"),
    fields: [
      { id: "tp-percent", label: t("percentDone"), control: percent, hint: t("percentHint") },
      { id: "tp-note", label: t("progressNote"), control: note, wide: true },
    ],
    confirmLabel: t("saveProgress"), controlFor: { percent: "tp-percent", note: "tp-note" },
    cancel: closer(opening),
    submit: async (errors) => {
      const value = percent.value.trim();
      if (value && !(/^\d{1,3}$/.test(value) && Number(value) <= 100)) {
        errors.show(null, { percent: t("percentInvalid") });
        return;
      }
      /** @type {Record<string, any>} */
      const body = {};
      if (value) body.percent = Number(value);
      if (note.value.trim()) body.note = note.value.trim();
      await update(opening.page, body, t("doneProgress"));
    },
  });
  show(opening, form, percent);
}

/**
 * Completing or cancelling: a note (the result, or the reason) and the confirm button.
 * @param {Opening} opening
 * @param {{id: string, fieldId: string, title: string, intro?: string, label: string, hint?: string,
 *   confirmLabel: string, confirmClass?: string, flag: string, doneText: string}} step
 */
function openClosing(opening, step) {
  const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
  const { form } = stepForm({
    id: step.id, title: step.title, intro: step.intro,
    fields: [{ id: step.fieldId, label: step.label, control: note, wide: true, hint: step.hint }],
    confirmLabel: step.confirmLabel, confirmClass: step.confirmClass, controlFor: { note: step.fieldId },
    cancel: closer(opening),
    submit: async () => {
      /** @type {Record<string, any>} */
      const body = { [step.flag]: true };
      if (note.value.trim()) body.note = note.value.trim();
      await update(opening.page, body, step.doneText);
    },
  });
  show(opening, form, note);
}

/** @param {Opening} opening */
const openComplete = (opening) => openClosing(opening, {
  id: "task-complete", fieldId: "tc-note", title: t("taskCompleteTitle"), label: t("taskResultOptional"),
  confirmLabel: t("confirmComplete"), flag: "complete", doneText: t("taskDoneCompleted"),
});

/** @param {Opening} opening */
const openCancel = (opening) => openClosing(opening, {
  id: "task-cancel", fieldId: "tx-note", title: t("taskCancelTitle"), intro: t("taskCancelIntro"),
  label: t("taskCancelReason"), hint: t("taskCancelReasonHint"), confirmLabel: t("taskCancelConfirm"),
  confirmClass: "btn-warning", flag: "cancel", doneText: t("taskDoneCancelled"),
});

/** The steps, in the order of their buttons: the label's message, the button's class, what it opens. */
const ACTIONS = [
  { action: "progress", label: "actionProgress", kind: "btn-secondary", open: openProgress },
  { action: "complete", label: "actionComplete", kind: "btn-primary", open: openComplete },
  { action: "cancel", label: "taskCancel", kind: "btn-warning", open: openCancel },
];

/** The buttons of the steps the caller may take, or null when there are none. @param {TaskPage} page */
export function taskActionsPanel(page) {
  const task = page.task;
  const slot = h("div", { class: "task-form", id: "task-form" });
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  for (const { action, label, kind, open } of ACTIONS) {
    if (!taskMay(task, action)) continue;
    const button = h("button", {
      type: "button", id: `task-action-${action}`, class: ["btn", kind],
      "aria-expanded": "false", "aria-controls": "task-form",
      onclick: () => open({ page, slot, trigger: button, buttons }),
    }, t(label));
    buttons.push(button);
  }
  if (!buttons.length) return null;
  const doing = taskMay(task, "complete") || taskMay(task, "progress");
  return h("section", { class: "panel actions-panel", id: "task-actions", "aria-labelledby": "task-actions-title" },
    h("h2", { id: "task-actions-title" }, doing ? t("yourWork") : t("taskYouGave")),
    task.subtasks_open && doing
      ? h("p", { class: "hint", id: "task-open-subtasks" }, t("taskSubtasksBlock", task.subtasks_open)) : null,
    h("div", { class: "step-actions" }, buttons),
    slot);
}
