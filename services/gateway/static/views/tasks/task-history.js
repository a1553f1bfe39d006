// @ts-check
// A task's history as the API keeps it: every update, oldest first.

import { formatDateTime } from "../../dates.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { dataTable } from "../../widgets.js";
import { assigneeName, nameOr } from "./common.js";

/** @typedef {import("./common.js").Task} Task */

/** What is said of one update besides who did it and the percent. @param {Task} task @param {any} update */
function historyDetails(task, update) {
  switch (update.action) {
    case "given":
      return [`${t("taskAssignee")}: ${assigneeName(task)}`,
        update.note ? `${t("taskDescription")}: ${update.note}` : null].filter(Boolean).join("; ");
    case "subtask_added":
      return update.note ? `${t("taskSubtaskNamed")}: ${update.note}` : "";
    case "completed":
      return update.note ? `${t("taskResult")}: ${update.note}` : "";
    case "cancelled":
      return update.note ? `${t("taskCancelReason")}: ${update.note}` : "";
    default:
      return update.note || "";
  }
}

/** @param {Task} task */
export function taskHistoryPanel(task) {
  const updates = task.history || [];
  return h("section", { class: "panel", id: "task-history", "aria-labelledby": "task-history-title" },
    h("h2", { id: "task-history-title" }, t("taskHistory")),
    updates.length
      ? dataTable([
        { label: t("colTime"), className: "col-date", render: (u) => formatDateTime(u.at) },
        { label: t("taskHistBy"), render: (u) => nameOr(u.actor_name) },
        { label: t("colAction"), render: (u) => h("strong", {}, t(`taskAction_${u.action}`)) },
        {
          label: t("colProgress"), className: "col-percent",
          render: (u) => (u.percent === null || u.percent === undefined ? t("none") : `${u.percent}%`),
        },
        { label: t("colDetails"), className: "col-details", render: (u) => historyDetails(task, u) || t("none") },
      ], updates, { caption: t("taskHistory"), rowClass: (u) => `task-hist-${u.action}` })
      : h("p", { class: "muted" }, t("taskNoHistory")));
}
