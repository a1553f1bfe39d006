// @ts-check
// The tasks of a list as a table (deadline, progress, sub-tasks, state) with its pager.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { navigate } from "../../state.js";
import { dataTable, pager } from "../../widgets.js";
import { assigneeName, deadline, giverName, listHash, progressBar, stateBadge, taskLink, urgencyOf } from "./common.js";

/** @typedef {import("./list.js").ListChoice} ListChoice */
/** @typedef {import("./common.js").Task} Task */

/** @param {Task} task */
function subtaskSummary(task) {
  if (!task.subtask_count) return t("none");
  return task.subtasks_open
    ? t("taskSubtasksOpen", task.subtasks_open, task.subtask_count)
    : t("taskSubtasksDone", task.subtask_count);
}

/** @param {string} current @param {string | null} documentId */
function columns(current, documentId) {
  return [
    {
      label: t("taskColTitle"), className: "col-subject", render: (/** @type {Task} */ task) => [
        taskLink(task),
        task.parent_id || (task.document_id && !documentId)
          ? h("span", { class: "cell-meta" }, [task.parent_id ? t("taskIsSub") : null,
            task.document_id && !documentId ? t("taskFromDocument") : null].filter(Boolean).join(" · "))
          : null],
    },
    // the caller is the assignee of every task they do, the giver of every one they gave
    current !== "created" ? { label: t("taskGiver"), render: giverName } : null,
    current !== "mine" ? { label: t("taskAssignee"), render: assigneeName } : null,
    { label: t("taskDue"), className: "col-date", render: (/** @type {Task} */ task) => deadline(task) },
    { label: t("colProgress"), render: (/** @type {Task} */ task) => progressBar(task) },
    { label: t("taskColSubtasks"), render: subtaskSummary },
    { label: t("colState"), className: "col-badge", render: (/** @type {Task} */ task) => stateBadge(task.state) },
  ].filter(Boolean);
}

/**
 * The list's table and pager, or the line saying it is empty.
 * @param {{items: Task[], page?: number, page_size?: number, total?: number}} result
 * @param {ListChoice} choice
 * @param {number} pageSize
 * @returns {HTMLElement[]}
 */
export function tasksTable(result, { current, state, page, documentId }, pageSize) {
  if (!result.items.length) {
    return [h("p", { class: "empty" }, documentId ? t("taskEmptyForDocument") : t(`taskEmpty_${current}`))];
  }
  return [
    dataTable(columns(current, documentId), result.items, {
      caption: t("tasksTitle"),
      rowClass: (task) => ["task-row", { late: "row-late", soon: "row-soon" }[urgencyOf(task)],
        task.state !== "open" ? "row-closed" : null].filter(Boolean).join(" "),
    }),
    pager({
      page: result.page || page, pageSize: result.page_size || pageSize, total: result.total, noun: "items",
      onPage: (p) => navigate(listHash({ view: current, state, page: p, documentId })),
    }),
  ];
}
