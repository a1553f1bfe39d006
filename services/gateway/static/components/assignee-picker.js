// @ts-check
// The search for whom work in a unit may be given to: the unit and the units below it,
// and the people of the unit (and, for people only, of the units below).

import { api } from "../api.js";
import { isWithin, unitMembers } from "../directory.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { isMember } from "../state.js";
import { fold, liveSearch } from "./live-search.js";

const ASSIGNEE_SEARCH_DELAY_MS = 250;
const PEOPLE_OF_UNITS = 3;   // units below whose people a people-only search lists
const SHOWN = 15;

/** A unit or a person work may be given to. @typedef {{unit_id?: string, user_id?: string, name: string, meta: string, due?: string}} Assignee */

/** @param {any} p a person of the directory @param {any} [unit] the unit listed with them @returns {Assignee} */
const personOf = (p, unit) => ({
  user_id: p.id, name: p.full_name,
  meta: [t("assigneePerson"), p.position, unit?.name].filter(Boolean).join(" · "),
});

/**
 * Units and people matching `q` whom work in `unitId` may be given to.
 * @param {string} q
 * @param {string} unitId
 * @param {boolean} withUnits
 * @returns {Promise<Assignee[]>}
 */
async function findAssignees(q, unitId, withUnits) {
  const [page, people] = await Promise.all([
    api.listUnits({ q, active: "true", page_size: 30 }),
    isMember(unitId) ? unitMembers(unitId) : Promise.resolve([]),
  ]);
  const within = await Promise.all((page.items || []).map((u) => isWithin(u.id, unitId)));
  const units = (page.items || []).filter((u, i) => within[i]);
  const key = fold(q);
  const named = people.filter((p) => fold(p.full_name).includes(key) || fold(p.username).includes(key)).map((p) => personOf(p));
  if (withUnits) return [...units.map((u) => ({ unit_id: u.id, name: u.name, meta: t("assigneeUnit") })), ...named];
  // The people of the units below whose name matches (leaders may list them).
  const below = units.filter((u) => u.id !== unitId).slice(0, PEOPLE_OF_UNITS);
  const lists = await Promise.all(below.map((u) => unitMembers(u.id)));
  const seen = new Set(named.map((a) => a.user_id));
  const offered = [...named];
  below.forEach((u, i) => {
    for (const p of lists[i]) {
      if (!seen.has(p.id)) offered.push(personOf(p, u));
      seen.add(p.id);
    }
  });
  return offered;
}

/**
 * @typedef {object} PickerOptions
 * @property {string} prefix ids "<prefix>-search", "<prefix>-results", "<prefix>-search-error"
 * @property {string} buttonLabel each result's button
 * @property {string} unitId the unit whose work is given
 * @property {(a: Assignee) => boolean} [isTaken] greys out what is chosen already
 * @property {(a: Assignee) => void} onPick
 * @property {boolean} [units] false: people only
 * @property {string} [label]
 * @property {string} [hint]
 */

/**
 * A search over whom work in `unitId` may be given to: the unit and the units below it
 * (the directory, filtered by walking up each result's parents) and the people of the
 * unit (the API lists only the caller's own units' people, and to leaders those of the
 * units below). With `units: false` only people are offered.
 * @param {PickerOptions} options
 * @returns {{element: HTMLElement, input: HTMLInputElement, redraw: () => void}}
 */
export function assigneePicker({
  prefix, buttonLabel, unitId, isTaken = () => false, onPick, units: withUnits = true,
  label = withUnits ? t("findAssignee") : t("findPerson"),
  hint = withUnits ? t("findAssigneeHint") : t("findPersonHint"),
}) {
  const input = h("input", {
    type: "search", id: `${prefix}-search`, name: `${prefix}-search`, autocomplete: "off", maxlength: "200",
    "aria-controls": `${prefix}-results`, "aria-describedby": `${prefix}-search-hint`,
  });
  const button = h("button", { type: "button", class: "btn btn-secondary", id: `${prefix}-search-button` }, t("searchUnits"));
  const status = h("p", { class: "hint search-status", role: "status", "aria-live": "polite" });
  const results = h("ul", { class: "unit-results", id: `${prefix}-results` });
  /** @type {Assignee[]} */
  let found = [];

  /** Chosen: the search is done; say so where a screen reader hears it. @param {Assignee} a */
  function pick(a) {
    onPick(a);
    input.value = "";
    found = [];
    redraw();
    status.textContent = t("assigneeChosen", a.name);
    input.focus();
  }
  function redraw() {
    results.replaceChildren(...found.map((a) => {
      const already = isTaken(a);
      return h("li", { class: "unit-result" },
        h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, a.name), h("span", { class: "cell-meta" }, a.meta)),
        h("button", {
          type: "button", class: "btn btn-secondary btn-small", disabled: already,
          "aria-label": already ? `${a.name}: ${t("alreadyAdded")}` : `${buttonLabel}: ${a.name}`,
          onclick: () => pick(a),
        }, already ? t("alreadyAdded") : buttonLabel));
    }));
  }
  liveSearch({
    input, button, status, delayMs: ASSIGNEE_SEARCH_DELAY_MS,
    emptyMessage: withUnits ? t("typeToSearchAssignee") : t("typeToSearchPerson"),
    show: (items) => { found = items; redraw(); },
    async find(q) {
      const items = (await findAssignees(q, unitId, withUnits)).slice(0, SHOWN);
      const none = withUnits ? t("noAssigneeFound") : t("noPersonFound");
      return { items, message: items.length ? t("assigneesFound", items.length) : none };
    },
  });
  const element = h("div", { class: "picker" },
    h("label", { for: `${prefix}-search` }, label),
    h("p", { class: "hint", id: `${prefix}-search-hint` }, hint),
    h("p", { class: "field-error", id: `${prefix}-search-error`, hidden: true }),
    h("div", { class: "search-box" }, input, button),
    status,
    results);
  return { element, input, redraw };
}
