// @ts-check
// One task (#/tasks/{id}): who gave it and who does it, its deadline, progress and
// latest note, the document it comes from, its sub-tasks (with a form to add one), its
// history (each update the API keeps), and the steps the caller may take: record
// progress, complete it (refused while a sub-task is open), cancel it (its giver).
// People's names come with the task (assignee_name, created_by_name, actor_name).

import { api } from "../../api.js";
import { formatDateTime } from "../../dates.js";
import { resolveNames, unitName } from "../../directory.js";
import { alertBox, h, loadingBox } from "../../dom.js";
import { t } from "../../i18n.js";
import { takeFlash } from "../../state.js";
import { errorPanel } from "../../widgets.js";
import { assigneeName, deadline, giverName, progressBar, stateBadge, urgencyOf } from "./common.js";
import { documentRef } from "./document-ref.js";
import { taskActionsPanel } from "./task-actions.js";
import { taskHistoryPanel } from "./task-history.js";
import { subtasksPanel } from "./subtasks.js";

/** @typedef {import("./common.js").Task} Task */
/**
 * The screen of one task, as its panels use it: the task drawn now, a message at the
 * top, and drawing it again.
 * @typedef {{id: string, task: Task | null, say: (kind: string, text: string) => void,
 *   clearMessage: () => void, draw: (fresh: Task) => Promise<void>}} TaskPage
 */

/** @param {string} label @param {any} value @param {Record<string, any>} [attrs] */
function row(label, value, attrs = {}) {
  const empty = value === null || value === undefined || value === "";
  return [h("dt", {}, label), h("dd", attrs, empty ? t("none") : value)];
}

/** @param {string} parentId */
function parentRef(parentId) {
  const link = h("a", { href: `#/tasks/${encodeURIComponent(parentId)}`, class: "doc-link" }, t("taskOpenParent"));
  api.getTask(parentId).then((parent) => { link.textContent = parent.title; }).catch(() => {});
  return link;
}

/** @param {Task} task */
function infoPanel(task) {
  const ended = task.state === "cancelled" ? t("taskCancelledAt") : t("taskDoneAt");
  return h("section", { class: "panel task-info", "aria-labelledby": "task-info" },
    h("h2", { id: "task-info", class: "visually-hidden" }, t("taskInfo")),
    h("dl", { class: "detail-list" },
      row(t("taskDescription"), task.description, { id: "task-description" }),
      row(t("taskGiver"), giverName(task), { id: "task-giver" }),
      row(t("taskAssignee"), assigneeName(task), { id: "task-assignee" }),
      row(t("taskUnit"), unitName(task.unit_id)),
      row(t("taskDue"), deadline(task), { id: "task-due" }),
      row(t("colProgress"), progressBar(task), { id: "task-percent" }),
      row(t("taskLatestNote"), task.result_note, { id: "task-note" }),
      task.document_id ? row(t("taskDocument"), documentRef(task.document_id, t("taskOpenDocument")), { id: "task-document" }) : null,
      task.parent_id ? row(t("taskParent"), parentRef(task.parent_id), { id: "task-parent" }) : null,
      row(t("taskGivenAt"), formatDateTime(task.created_at)),
      task.done_at ? row(ended, formatDateTime(task.done_at)) : null));
}

/** @param {Task} task */
function badges(task) {
  const urgency = urgencyOf(task);
  return h("div", { class: "doc-badges" },
    h("span", { class: "eyebrow" }, task.parent_id ? t("taskSubEyebrow") : t("taskEyebrow")),
    stateBadge(task.state, { id: "task-state" }),
    urgency === "late" ? h("span", { class: "badge task-late" }, t("overdueMark").toUpperCase()) : null,
    urgency === "soon" ? h("span", { class: "badge task-soon" }, t("taskDueSoon")) : null);
}

/** #/tasks/{id}. @param {HTMLElement} view @param {Record<string, string>} params */
export function renderTask(view, params) {
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("taskTitleHeading"));
  const message = h("div", { id: "task-message", class: "doc-message", tabindex: "-1" });
  const body = h("div", {}, loadingBox());
  const flash = takeFlash();
  if (flash) message.append(alertBox(flash.kind, h("p", { id: "task-done" }, flash.text)));
  view.append(
    h("p", { class: "back" }, h("a", { href: "#/tasks" }, "‹ ", t("tasksTitle"))),
    h("div", { class: "page-head" }, heading),
    message,
    body);

  /** @type {TaskPage} */
  const page = {
    id: params.id,
    task: null,
    say(kind, text) {
      message.replaceChildren(alertBox(kind, h("p", { id: kind === "success" ? "task-done" : "task-error" }, text)));
      message.focus();
    },
    clearMessage: () => message.replaceChildren(),
    async draw(task) {
      page.task = task;
      await resolveNames({ unitIds: [task.unit_id] });
      heading.textContent = task.title || t("taskTitleHeading");
      document.title = `${task.title || t("taskTitleHeading")} · ${t("appName")}`;
      body.replaceChildren(h("div", { class: "doc-stack" },
        badges(task),
        taskActionsPanel(page),
        infoPanel(task),
        subtasksPanel(page),
        taskHistoryPanel(task)));
    },
  };

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      await page.draw(await api.getTask(page.id));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }
  load();
  return { title: t("taskTitleHeading") };
}
