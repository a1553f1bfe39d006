// Placeholder until the reports screen is built (being written now).
import { pageHeading } from "../dom.js";
import { t } from "../i18n.js";

export function renderReports(view) {
  view.append(pageHeading(t("navReports")));
  return { title: t("navReports") };
}
