// @ts-check
// What the tasks screens share: a task's deadline (marked when late or near), state,
// progress, names and links, and the address of a list.

import { addDays, formatDate, todayIso } from "../../dates.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { taskStateLabel } from "../../labels.js";
import { session } from "../../session.js";

const SOON_DAYS = 3;
const STATE_CLASS = { open: "item-open", done: "item-done", cancelled: "item-closed" };

/** A task as the API gives it. @typedef {Record<string, any>} Task */

/** The signed-in user's id. */
export function me() {
  return session.user?.id || null;
}

/** "late" (open past its deadline), "soon" (open, due within SOON_DAYS days) or null. @param {Task} task */
export function urgencyOf(task) {
  if (task.state !== "open" || !task.due_date) return null;
  const today = todayIso();
  if (task.due_date < today) return "late";
  return task.due_date <= addDays(today, SOON_DAYS) ? "soon" : null;
}

/** The deadline as dd/mm/yyyy, marked when it has passed or is near. @param {Task} task @param {Record<string, any>} [attrs] */
export function deadline(task, attrs = {}) {
  if (!task.due_date) return h("span", attrs, t("taskNoDeadline"));
  const urgency = urgencyOf(task);
  if (urgency === "late") return h("span", { class: "overdue", ...attrs }, formatDate(task.due_date), " · ", t("overdueMark"));
  if (urgency === "soon") return h("span", { class: "due-soon", ...attrs }, formatDate(task.due_date), " · ", t("taskDueSoon"));
  return h("span", attrs, formatDate(task.due_date));
}

/** @param {string} state @param {Record<string, any>} [attrs] */
export function stateBadge(state, attrs = {}) {
  return h("span", { class: `badge item-state task-state ${STATE_CLASS[state] || ""}`, ...attrs }, taskStateLabel(state));
}

/** @param {Task} task @param {Record<string, any>} [attrs] */
export function progressBar(task, attrs = {}) {
  const value = task.progress ?? 0;
  return h("span", { class: "progress-cell", ...attrs },
    h("progress", { max: "100", value: String(value), "aria-hidden": "true" }),
    h("span", {}, `${value}%`));
}

/** @param {Task} task */
export function taskLink(task) {
  return h("a", { href: `#/tasks/${encodeURIComponent(task.id)}`, class: "doc-link" }, task.title || t("none"));
}

/** A name the API gave, or the placeholder when the directory had none. @param {string | null | undefined} name */
export function nameOr(name) {
  return name || t("unknownPerson");
}

/** @param {Task} task */
export const assigneeName = (task) => nameOr(task.assignee_name);
/** @param {Task} task */
export const giverName = (task) => nameOr(task.created_by_name);

/** The row classes of a task late or due soon. @type {Record<string, string>} */
export const SUB_URGENCY_CLASS = { late: "is-late", soon: "is-soon" };

/**
 * The address of a list of tasks.
 * @param {{view?: string, state?: string, page?: number, documentId?: string | null}} options
 */
export function listHash({ view, state, page, documentId = null }) {
  const params = new URLSearchParams();
  if (view && view !== "mine") params.set("view", view);
  if (state !== "open") params.set("state", state || "all");
  if (documentId) params.set("document_id", documentId);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return `#/tasks${text ? `?${text}` : ""}`;
}

/**
 * Whether the caller may take `action` on the task now, as the API says
 * (allowed_actions: progress, complete, cancel, add_subtask).
 * @param {Task} task
 * @param {string} action
 */
export function taskMay(task, action) {
  return (task.allowed_actions || []).includes(action);
}
