// @ts-check
// The recipients of a draft: units of this system found by name, and other bodies with
// an optional mã định danh; each listed with how it will be delivered and a button to
// take it off.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { errorSlotId, liveSearch } from "../../widgets.js";

const UNIT_RESULTS = 8;
const SEARCH_DELAY_MS = 300;

/** @typedef {{unit_id?: string, organ_id?: string, name: string}} Recipient */

/** @param {Recipient} a @param {Recipient} b */
const sameRecipient = (a, b) => (a.unit_id || b.unit_id
  ? a.unit_id === b.unit_id
  : (a.organ_id && b.organ_id ? a.organ_id === b.organ_id : a.name.toLowerCase() === b.name.toLowerCase()));

/** A recipient as the API takes it: {unit_id} or {name, organ_id?}. @param {Recipient} r */
export function recipientBody(r) {
  if (r.unit_id) return { unit_id: r.unit_id };
  return r.organ_id ? { name: r.name, organ_id: r.organ_id } : { name: r.name };
}

/** The controls of an outside body: its name, its mã định danh and "add". @param {(name: string) => string} id */
function externalControls(id) {
  const input = (/** @type {string} */ name, /** @type {Record<string, any>} */ attrs) => h("input", { name, type: "text", ...attrs });
  return {
    name: input("external_name", { maxlength: "200", autocomplete: "organization", id: id("ext-name"),
      "aria-describedby": errorSlotId(id("ext-name")) }),
    organId: input("external_organ_id", { maxlength: "35", autocomplete: "off", spellcheck: "false", id: id("ext-organ_id"),
      "aria-describedby": `${id("ext-organ_id")}-hint` }),
    error: h("p", { class: "field-error", id: errorSlotId(id("ext-name")), hidden: true }),
    add: h("button", { type: "button", class: "btn btn-secondary", id: id("ext-add") }, "+ ", t("addExternal")),
  };
}

/**
 * "Add an outside body": its name (required) and mã định danh.
 * @param {(name: string) => string} id @param {(r: Recipient) => boolean} addRecipient
 */
function externalPicker(id, addRecipient) {
  const ext = externalControls(id);
  function addExternal() {
    ext.error.hidden = true;
    ext.name.removeAttribute("aria-invalid");
    const name = ext.name.value.trim();
    if (!name) {
      ext.error.textContent = t("externalNameRequired");
      ext.error.hidden = false;
      ext.name.setAttribute("aria-invalid", "true");
      ext.name.focus();
      return;
    }
    const organId = ext.organId.value.trim();
    if (addRecipient(organId ? { name, organ_id: organId } : { name })) {
      ext.name.value = "";
      ext.organId.value = "";
    }
    ext.name.focus();
  }
  ext.add.addEventListener("click", addExternal);
  for (const el of [ext.name, ext.organId]) {
    el.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        addExternal();
      }
    });
  }
  return h("div", { class: "picker" },
    h("h3", { class: "subhead" }, t("externalRecipient")),
    h("div", { class: "field" }, h("label", { for: id("ext-name") }, t("externalName")), ext.error, ext.name),
    h("div", { class: "field" },
      h("label", { for: id("ext-organ_id") }, t("externalOrganId")),
      h("p", { class: "hint", id: `${id("ext-organ_id")}-hint` }, t("externalOrganIdHint")),
      ext.organId),
    h("div", {}, ext.add));
}

/**
 * The search over the system's units; `isChosen(unit)` marks those added already.
 * @param {(name: string) => string} id @param {(r: Recipient) => boolean} addRecipient @param {(unitId: string) => boolean} isChosen
 */
function unitPicker(id, addRecipient, isChosen) {
  const search = h("input", {
    type: "search", name: "unit_search", autocomplete: "off", maxlength: "200", id: id("recipients"),
    "aria-controls": id("unit-results"), "aria-describedby": `${id("recipients")}-hint`,
  });
  const button = h("button", { type: "button", class: "btn btn-secondary", id: id("unit-search-button") }, t("searchUnits"));
  const status = h("p", { class: "hint search-status", role: "status", "aria-live": "polite" });
  const results = h("ul", { class: "unit-results", id: id("unit-results") });
  /** @type {any[]} */
  let found = [];
  const draw = () => results.replaceChildren(...found.map((u) => {
    const already = isChosen(u.id);
    return h("li", { class: "unit-result" },
      h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, u.name),
        u.organ_id ? h("span", { class: "cell-meta" }, u.organ_id) : null),
      h("button", {
        type: "button", class: "btn btn-secondary btn-small", disabled: already,
        "aria-label": already ? null : t("addRecipientLabel", u.name),
        onclick: () => { addRecipient({ unit_id: u.id, organ_id: u.organ_id, name: u.name }); search.focus(); },
      }, already ? `✓ ${t("alreadyAdded")}` : `+ ${t("addRecipient")}`));
  }));
  liveSearch({
    input: search, button, status, delayMs: SEARCH_DELAY_MS, emptyMessage: t("typeToSearch"),
    show: (items) => { found = items; draw(); },
    async find(q) {
      const page = await api.listUnits({ q, active: "true", page_size: UNIT_RESULTS });
      const items = page.items || [];
      return { items, message: items.length ? t("unitsFound", items.length, page.total) : t("noUnitsFound") };
    },
  });
  const element = h("div", { class: "picker" },
    h("label", { for: id("recipients") }, t("recipientSearch")),
    h("p", { class: "hint", id: `${id("recipients")}-hint` }, t("recipientSearchHint")),
    h("div", { class: "search-box" }, search, button), status, results);
  return { element, search, draw };
}

/**
 * The recipients section. `chosen` is the list (filled with the draft's); `delivery(r)`
 * says how one will be delivered ("internal", "exchange", "paper").
 * @param {{id: (name: string) => string, chosen: Recipient[], delivery: (r: Recipient) => string}} options
 */
export function recipientsSection({ id, chosen, delivery }) {
  const live = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const chosenList = h("ul", { class: "recipient-list", id: id("recipient-list"), "aria-label": t("chosenRecipients") });
  /** @param {Recipient} r */
  function addRecipient(r) {
    if (chosen.some((c) => sameRecipient(c, r))) {
      live.textContent = t("recipientDuplicate");
      return false;
    }
    chosen.push(r);
    redraw();
    live.textContent = t("recipientAdded", r.name);
    return true;
  }
  const units = unitPicker(id, addRecipient, (unitId) => chosen.some((c) => c.unit_id === unitId));
  function redraw() {
    chosenList.replaceChildren(...(chosen.length ? chosen.map((r) => h("li", { class: "recipient" },
      h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, r.name),
        h("span", { class: "cell-meta" }, [r.organ_id, t(`delivery_${delivery(r)}`)].filter(Boolean).join(" · "))),
      h("button", {
        type: "button", class: "btn btn-link btn-small", "aria-label": t("removeRecipient", r.name),
        onclick: () => {
          chosen.splice(chosen.indexOf(r), 1);
          redraw();
          live.textContent = t("recipientRemoved", r.name);
          units.search.focus();
        },
      }, t("remove"))))
      : [h("li", { class: "recipient-empty muted" }, t("noRecipients"))]));
    units.draw();
  }
  redraw();
  const element = h("fieldset", { class: "section recipients-section" },
    h("legend", {}, t("sectionRecipients")),
    h("p", { class: "field-error", id: errorSlotId(id("recipients")), hidden: true }),
    h("h3", { class: "subhead", id: id("chosen-title") }, t("chosenRecipients")),
    chosenList, live,
    h("div", { class: "recipient-pickers" }, units.element, externalPicker(id, addRecipient)));
  return { element, redraw };
}
