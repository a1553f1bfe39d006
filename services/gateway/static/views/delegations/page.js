// @ts-check
// Ủy quyền (NĐ 30/2020 Điều 13): ký thay (KT), thừa lệnh (TL), thừa ủy quyền (TUQ).
// The delegations the user gave, those they received and, for a unit's leaders and
// administrators, the unit's others (lists.js), and the form giving one or passing one
// on (form.js). The one who gave it (or an administrator of the unit) revokes it.

import { api } from "../../api.js";
import { resolveNames } from "../../directory.js";
import { alertBox, h, loadingBox, pageHeading } from "../../dom.js";
import { t } from "../../i18n.js";
import { currentMembership, user } from "../../state.js";
import { confirmDialog, errorPanel } from "../../widgets.js";
import { delegationForm, formUnits } from "./form.js";
import { drawLists } from "./lists.js";

/** @typedef {import("./common.js").Delegation} Delegation */

/** "+ Ủy quyền mới": to the form, its first control focused. @param {HTMLElement} formPanel @param {HTMLElement} heading */
function newLink(formPanel, heading) {
  return h("a", {
    href: "#delegation-new", class: "btn btn-primary", id: "delegation-new-link", hidden: true,
    onclick: (/** @type {Event} */ event) => {
      event.preventDefault();
      formPanel.scrollIntoView({ block: "start" });
      (/** @type {HTMLElement} */ (formPanel.querySelector("select, input")) || heading).focus();
    },
  }, "+ ", t("newDelegation"));
}

/** #/delegations. @param {HTMLElement} view */
export function renderDelegations(view) {
  const me = user();
  const message = h("div", { class: "doc-message", id: "delegation-message", tabindex: "-1" });
  const activeOnly = h("input", { type: "checkbox", id: "dl-active-only" });
  const lists = h("div", { class: "doc-stack" }, loadingBox());
  const heading = h("h2", { id: "delegation-new-title", tabindex: "-1" }, t("newDelegation"));
  const formPanel = h("section", { class: "panel", id: "delegation-new", "aria-labelledby": "delegation-new-title" }, heading);
  const newButton = newLink(formPanel, heading);
  view.append(
    h("p", { class: "back-link" }, h("a", { href: "#/settings" }, "‹ ", t("navSettings"))),
    pageHeading(t("delegationsTitle"), newButton),
    h("p", { class: "muted page-sub" }, t("delegationsIntro")),
    message,
    h("div", { class: "filter-bar delegation-filter" },
      h("label", { class: "checkbox", for: "dl-active-only" }, activeOnly, " ", t("activeOnly"))),
    lists,
    formPanel);
  /** @type {Delegation[]} */
  let items = [];

  /** @param {string} kind @param {string} id @param {string} text */
  function say(kind, id, text) {
    message.replaceChildren(alertBox(kind, h("p", { id }, text)));
    message.focus();
  }

  /** @param {Delegation} d @param {HTMLElement} button */
  async function revoke(d, button) {
    const confirmed = await confirmDialog({
      id: "revoke", title: t("revokeTitle"), message: t("revokeMessage", t(`dkind_${d.kind}`), d.to_name || ""),
      confirmLabel: t("revoke"), confirmClass: "btn-warning",
    });
    if (!confirmed) {
      button.focus();
      return;
    }
    try {
      await api.revokeDelegation(d.id);
      await load({ redrawForm: false });
      say("success", "delegation-revoked", t("revokedDone", t(`dkind_${d.kind}`), d.to_name || ""));
    } catch (error) {
      say("error", "delegation-error", error.message);
      load({ redrawForm: false });
    }
  }

  /** The form, or why the user cannot delegate. @param {Delegation | null} [via] the delegation passed on */
  function drawForm(via = null) {
    const units = formUnits(items, me);
    newButton.hidden = !units.length;
    if (!units.length) {
      formPanel.replaceChildren(heading, h("p", { class: "muted", id: "delegation-cannot" }, t("cannotDelegate")));
      return;
    }
    formPanel.replaceChildren(heading, delegationForm({
      items, me, units, via,
      onSaved: async (made) => {
        await load();
        say("success", "delegation-saved", t("delegationSaved", t(`dkind_${made.kind}`), made.to_name || ""));
      },
    }, currentMembership()?.unit_id));
    if (via) {
      formPanel.scrollIntoView({ block: "start" });
      heading.focus();
    }
  }

  async function load({ redrawForm = true } = {}) {
    lists.replaceChildren(loadingBox());
    try {
      const result = await api.listDelegations(activeOnly.checked ? { active: "true" } : {});
      items = result.items || [];
      await resolveNames({ unitIds: items.map((d) => d.unit_id) });
      drawLists(lists, items, me, { revoke, passOn: drawForm });
      if (redrawForm) drawForm();
    } catch (error) {
      lists.replaceChildren(errorPanel(error, load));
    }
  }

  activeOnly.addEventListener("change", () => load());
  load();
  return { title: t("delegationsTitle") };
}
