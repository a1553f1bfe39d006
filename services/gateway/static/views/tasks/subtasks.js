// @ts-check
// A task's sub-tasks, each with its assignee, deadline, state and progress, and the
// form adding one (for whoever may split the task).

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { hooks } from "../../state.js";
import {
  SUB_URGENCY_CLASS, assigneeName, deadline, progressBar, stateBadge, taskLink, taskMay, urgencyOf,
} from "./common.js";
import { taskForm } from "./task-form.js";

/** @typedef {import("./task.js").TaskPage} TaskPage */
/** @typedef {import("./common.js").Task} Task */

/** @param {Task[]} subtasks */
function subtaskList(subtasks) {
  if (!subtasks.length) return h("p", { class: "muted", id: "task-no-subtasks" }, t("taskNoSubtasks"));
  return h("ul", { class: "task-sublist", id: "task-sublist" }, subtasks.map((sub) => h("li", {
    class: ["task-sub", `task-sub-${sub.state}`, SUB_URGENCY_CLASS[urgencyOf(sub)]],
    dataset: { taskId: sub.id },
  },
  h("div", { class: "task-sub-head" }, taskLink(sub), stateBadge(sub.state)),
  h("p", { class: "task-sub-meta" },
    h("span", {}, assigneeName(sub)), " · ", t("dueShort"), " ", deadline(sub)),
  progressBar(sub))));
}

/** "+ Thêm việc con" and the slot its form opens in. @param {TaskPage} page */
function addSubtask(page) {
  const task = page.task;
  const slot = h("div", { class: "task-form", id: "task-sub-slot" });
  const button = h("button", {
    type: "button", class: "btn btn-secondary btn-small", id: "task-add-sub",
    "aria-expanded": "false", "aria-controls": "task-sub-slot",
  }, "+ ", t("taskAddSub"));
  const close = () => {
    slot.replaceChildren();
    button.setAttribute("aria-expanded", "false");
    button.focus();
  };
  button.addEventListener("click", () => {
    if (slot.childElementCount) {
      close();
      return;
    }
    const { form, focus } = taskForm({
      id: "task-sub", prefix: "ts", title: t("taskAddSubTitle"), unitId: task.unit_id, parent: task,
      cancel: close,
      onGiven: async (sub) => {
        await page.draw(await api.getTask(page.id));
        page.say("success", t("taskSubGiven", sub.title));
        hooks.refreshCounts();
      },
    });
    page.clearMessage();
    slot.replaceChildren(form);
    button.setAttribute("aria-expanded", "true");
    focus.focus();
  });
  return { button, slot };
}

/** @param {TaskPage} page */
export function subtasksPanel(page) {
  const subtasks = page.task.subtasks || [];
  const adding = taskMay(page.task, "add_subtask") ? addSubtask(page) : null;
  return h("section", { class: "panel task-subtasks", id: "task-subtasks", "aria-labelledby": "task-subtasks-title" },
    h("div", { class: "panel-head" },
      h("h2", { id: "task-subtasks-title" }, t("taskSubtasks"), subtasks.length ? ` (${subtasks.length})` : null),
      adding?.button),
    adding ? adding.slot : h("div", { class: "task-form", id: "task-sub-slot" }),
    subtaskList(subtasks));
}
