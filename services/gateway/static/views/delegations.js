// Placeholder until the delegations screen is built (being written now).
import { pageHeading } from "../dom.js";
import { t } from "../i18n.js";

export function renderDelegations(view) {
  view.append(pageHeading(t("navSettings")));
  return { title: t("navSettings") };
}
