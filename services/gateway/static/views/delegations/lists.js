// @ts-check
// The delegations the user gave (each revocable), those they received (each may be
// passed on within its limits, never a TUQ) and, for a unit's leaders and
// administrators, the unit's others.

import { formatDate, formatDateTime, todayIso } from "../../dates.js";
import { unitName } from "../../directory.js";
import { fill, h } from "../../dom.js";
import { t } from "../../i18n.js";
import { hasRole } from "../../state.js";
import { dataTable } from "../../widgets.js";
import { actionsText, delegationState, kindBadge, passable, typesText } from "./common.js";

/** @typedef {import("./common.js").Delegation} Delegation */
/** @typedef {import("../../components/table.js").Column} Column */
/** What the lists do: revoke one, or open the form passing one on. @typedef {{revoke: (d: Delegation, button: HTMLElement) => void, passOn: (d: Delegation) => void}} ListActions */

/** The columns every list has: kind, then (after the people) its scope. @param {boolean} manyUnits @param {string} today */
function commonColumns(manyUnits, today) {
  /** @type {Column} */
  const kind = {
    label: t("colDelegationKind"), className: "col-badge", render: (d) => [
      h("span", { class: "dkind-cell", dataset: { delegation: d.id } }, kindBadge(d.kind)),
      manyUnits ? h("span", { class: "cell-meta" }, unitName(d.unit_id)) : null,
      d.via_id ? h("span", { class: "cell-meta" }, t("passedOnMark")) : null],
  };
  /** @type {Column[]} */
  const scope = [
    { label: t("colSteps"), render: (d) => actionsText(d.actions) },
    { label: t("colDocTypes"), className: "col-details", render: (d) => typesText(d.document_types) },
    {
      label: t("colWindow"), className: "col-window", render: (d) => [
        h("span", { class: "nowrap" }, t("windowText", formatDate(d.valid_from), formatDate(d.valid_to))),
        d.note ? h("span", { class: "cell-meta" }, d.note) : null],
    },
    {
      label: t("colDelegationState"), render: (d) => {
        const state = delegationState(d, today);
        return [h("span", { class: `badge dstate dstate-${state}` }, t(`dstate_${state}`)),
          d.revoked_at ? h("span", { class: "cell-meta" }, t("revokedOn", formatDateTime(d.revoked_at))) : null];
      },
    },
  ];
  return { kind, scope };
}

/** @param {string} key @param {string} label @returns {Column} */
const person = (key, label) => ({ label, render: (d) => h("span", { class: "dl-person" }, d[key] || t("unknownPerson")) });

/** "Revoke" for the one who gave it or an administrator of the unit. @param {string | undefined} me @param {ListActions} actions @returns {Column} */
function revokeColumn(me, actions) {
  return {
    label: t("colActions"), className: "col-actions", render: (d) => {
      const mayRevoke = !d.revoked_at && (d.from_user_id === me || hasRole("admin", d.unit_id));
      if (!mayRevoke) return t("none");
      return h("button", {
        type: "button", class: "btn btn-secondary btn-small dl-revoke", dataset: { id: d.id },
        "aria-label": t("revokeLabel", d.kind, d.to_name || ""),
        onclick: (/** @type {Event} */ event) => actions.revoke(d, /** @type {HTMLElement} */ (event.currentTarget)),
      }, t("revoke"));
    },
  };
}

/** "Pass on" for one received that may be. @param {string} today @param {ListActions} actions @returns {Column} */
function passOnColumn(today, actions) {
  return {
    label: t("colActions"), className: "col-actions", render: (d) => {
      if (d.kind === "TUQ") return h("span", { class: "muted" }, t("tuqNoPassOn"));
      if (!passable(d, today) || !d.actions?.length) return t("none");
      return h("button", {
        type: "button", class: "btn btn-link btn-small dl-pass-on", "aria-label": t("passOnLabel", d.kind, d.from_name || ""),
        onclick: () => actions.passOn(d),
      }, t("passOn"));
    },
  };
}

/**
 * Draw the lists of `items` into `lists`.
 * @param {HTMLElement} lists @param {Delegation[]} items @param {any} me the signed-in user @param {ListActions} actions
 */
export function drawLists(lists, items, me, actions) {
  const today = todayIso();
  const manyUnits = new Set(items.map((d) => d.unit_id)).size > 1
    || new Set((me?.memberships || []).map((m) => m.unit_id)).size > 1;
  const { kind, scope } = commonColumns(manyUnits, today);
  /** @param {string} id @param {string} title @param {Delegation[]} rows @param {Column[]} columns @param {string} empty */
  const section = (id, title, rows, columns, empty) => h("section", { class: "panel", id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title, h("span", { class: "count-pill" }, String(rows.length))),
    rows.length
      ? dataTable(columns, rows, { caption: title, rowClass: (d) => `dl-row dl-${delegationState(d, today)}` })
      : h("p", { class: "muted" }, empty));
  const others = items.filter((d) => d.from_user_id !== me?.id && d.to_user_id !== me?.id);
  fill(lists,
    section("delegations-given", t("delegationsGiven"), items.filter((d) => d.from_user_id === me?.id),
      [kind, person("to_name", t("colDelegate")), ...scope, revokeColumn(me?.id, actions)], t("noDelegationsGiven")),
    section("delegations-received", t("delegationsReceived"), items.filter((d) => d.to_user_id === me?.id),
      [kind, person("from_name", t("colDelegator")), ...scope, passOnColumn(today, actions)], t("noDelegationsReceived")),
    others.length
      ? section("delegations-others", t("delegationsOthers"), others,
        [kind, person("from_name", t("colDelegator")), person("to_name", t("colDelegate")), ...scope, revokeColumn(me?.id, actions)], "")
      : null);
}
