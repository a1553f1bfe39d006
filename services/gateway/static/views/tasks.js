// Placeholder until the tasks screens are built (being written now).
import { pageHeading } from "../dom.js";
import { t } from "../i18n.js";

export function renderTasks(view) {
  view.append(pageHeading(t("navTasks")));
  return { title: t("navTasks") };
}

export function renderTask(view) {
  view.append(pageHeading(t("navTasks")));
  return { title: t("navTasks") };
}
