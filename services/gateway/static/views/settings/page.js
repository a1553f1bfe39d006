// @ts-check
// Cài đặt: the caller's notification channels, links to the password and delegations
// screens, the default processing deadlines of the unit they work in (set by its leaders
// and administrators), its approval chains (for its leaders), the changes of rights
// waiting for confirmation (leaders, administrators) and the search index (the
// deployment-wide administrator).

import { h, pageHeading } from "../../dom.js";
import { t } from "../../i18n.js";
import { LEADER_ROLES, currentMembership, hasRole, user } from "../../state.js";
import { chainsPanel } from "./chains.js";
import { preferencesPanel } from "./preferences.js";
import { rightsAlertsPanel } from "./rights-alerts.js";
import { rulesPanel } from "./rules.js";
import { searchIndexPanel } from "./search-index.js";

/** A panel leading to another screen. @param {string} id @param {string} title @param {string} hint @param {string} href @param {string} link */
function linkPanel(id, title, hint, href, link) {
  return h("section", { class: "panel", id: `${id}-panel`, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title),
    h("p", { class: "muted" }, hint),
    h("a", { href, class: "btn btn-secondary", id }, link, " ›"));
}

/** #/settings. @param {HTMLElement} view */
export function renderSettings(view) {
  const membership = currentMembership();
  const leads = membership && LEADER_ROLES.includes(membership.role);
  view.append(
    pageHeading(t("settingsTitle")),
    h("p", { class: "muted page-sub" }, t("settingsIntro")),
    h("div", { class: "doc-stack settings-stack" },
      preferencesPanel(),
      linkPanel("password-link", t("passwordLink"), t("passwordLinkHint"), "#/password", t("passwordLink")),
      linkPanel("delegations-link", t("delegationsTitle"), t("delegationsLinkHint"), "#/delegations", t("delegationsLink")),
      membership ? rulesPanel(membership) : null,
      leads ? chainsPanel(membership) : null,
      [...LEADER_ROLES, "admin"].some((role) => hasRole(role)) || user()?.system_admin
        ? rightsAlertsPanel() : null,
      user()?.system_admin ? searchIndexPanel() : null));
  return { title: t("settingsTitle") };
}
