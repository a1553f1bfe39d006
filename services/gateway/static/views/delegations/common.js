// @ts-check
// What the delegation screens share: a delegation's state today, whether it may be
// passed on, and its kind, steps and document types as text.

import { todayIso } from "../../dates.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { documentTypeLabel } from "../../labels.js";

/** A delegation as the API gives it. @typedef {Record<string, any>} Delegation */

/** Whether a delegation is in force today, not yet, no longer, or revoked. @param {Delegation} d @param {string} [today] */
export function delegationState(d, today = todayIso()) {
  if (d.revoked_at) return "revoked";
  if (today < d.valid_from) return "pending";
  if (today > d.valid_to) return "expired";
  return "active";
}

/** Whether the holder may pass this delegation on (never a TUQ; not when it is over). @param {Delegation} d @param {string} [today] */
export function passable(d, today = todayIso()) {
  return d.kind !== "TUQ" && !d.revoked_at && d.valid_to >= today;
}

/** @param {string} kind */
export const kindBadge = (kind) => [h("span", { class: `badge dkind dkind-${kind}` }, kind), " ", t(`dkind_${kind}`)];
/** @param {string[] | null | undefined} types */
export const typesText = (types) => (types?.length
  ? types.map((key) => `${documentTypeLabel(key)} (${key})`).join(", ") : t("allDocTypes"));
/** @param {string[] | null | undefined} actions */
export const actionsText = (actions) => (actions || []).map((a) => t(`daction_${a}`)).join(", ") || t("none");
