// @ts-check
// Building the page from data without ever turning a server string into markup:
// strings always become text nodes. The one exception, search snippets, goes
// through markedText(), which keeps nothing but text and <mark>.

import { t } from "./i18n.js";
import { confidentialityLabel, outgoingStateLabel, urgencyLabel } from "./labels.js";

/**
 * What h() and append() take as children: nodes, text, numbers, nothing (null,
 * undefined, false are skipped) and arrays of them.
 * @typedef {Node | string | number | boolean | null | undefined | ChildList} Child
 */
/** @typedef {Child[]} ChildList */
/** @typedef {Record<string, any>} Attrs */

/**
 * h("a", {href: "#/x", class: "link", onclick: fn}, "text", child, [more])
 * Attributes set as properties where that matters (value, checked, disabled...).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (["value", "checked", "selected", "disabled", "required", "multiple",
      "hidden", "open"].includes(name)) {
      el[name] = value;
      if (value === true) el.setAttribute(name, "");
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * @template {Element | DocumentFragment} E
 * @param {E} el
 * @param {Child[]} children
 * @returns {E}
 */
export function append(el, children) {
  for (const child of /** @type {any[]} */ (children).flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * An icon drawn as an SVG path in the text's colour, hidden from screen readers (the
 * control it sits in carries the label). Not an emoji or a symbol character: those
 * depend on the fonts a computer has (Debian's Chromium showed 📅 as an empty box).
 * @param {string} pathData the path of a 24 × 24 drawing
 * @param {number} [size] pixels
 */
export function icon(pathData, size = 20) {
  const svg = document.createElementNS(SVG_NS, "svg");
  for (const [name, value] of [["viewBox", "0 0 24 24"], ["width", String(size)],
    ["height", String(size)], ["aria-hidden", "true"], ["focusable", "false"]]) {
    svg.setAttribute(name, value);
  }
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", pathData);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

/** @param {Element} el */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/**
 * A search snippet: the server escapes everything and wraps hits in <mark>. It is
 * parsed in an inert document and only its text and <mark> elements are copied, so
 * even a snippet that was not escaped cannot inject markup, scripts or handlers.
 */
/** @param {string | null | undefined} html */
export function markedText(html) {
  const fragment = document.createDocumentFragment();
  const parsed = new DOMParser().parseFromString(`<body>${html ?? ""}</body>`, "text/html");
  const copy = (source, target) => {
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        target.append(document.createTextNode(node.nodeValue));
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.tagName === "MARK") {
          const mark = document.createElement("mark");
          copy(node, mark);
          target.append(mark);
        } else if (!["SCRIPT", "STYLE", "TEMPLATE"].includes(node.tagName)) {
          copy(node, target);
        }
      }
    }
  };
  copy(parsed.body, fragment);
  return fragment;
}

/**
 * The coloured urgency badge; "normal" is shown as plain muted text.
 * @param {string | null | undefined} urgency
 * @param {{showNormal?: boolean}} [options]
 */
export function urgencyBadge(urgency, { showNormal = true } = {}) {
  if (!urgency || urgency === "normal") {
    return showNormal ? h("span", { class: "urgency urgency-normal" }, urgencyLabel("normal")) : null;
  }
  return h("span", { class: `badge urgency urgency-${urgency}` }, urgencyLabel(urgency).toUpperCase());
}

/** A secret document's level (nothing for one not classified). @param {string | null | undefined} value */
export function confidentialityBadge(value) {
  if (!value || value === "none") return null;
  return h("span", { class: `badge secret secret-${value}` }, confidentialityLabel(value).toUpperCase());
}

/**
 * An outgoing document's state (the server's name in Vietnamese, ours in English).
 * @param {string} state
 * @param {string | null} [name]
 * @param {Attrs} [attrs]
 */
export function stateBadge(state, name = null, attrs = {}) {
  return h("span", { class: `badge state state-${state}`, ...attrs }, outgoingStateLabel(state, name));
}

/** An alert box; kind is "error", "success", "info" or "warning". @param {string} kind @param {...Child} children */
export function alertBox(kind, ...children) {
  return h("div", {
    class: `alert alert-${kind}`,
    role: kind === "error" ? "alert" : "status",
  }, ...children);
}

export function loadingBox() {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("loading"));
}

/** The heading every view starts with; focusable so a route change can move focus. */
/** @param {string} text @param {...Child} extra */
export function pageHeading(text, ...extra) {
  return h("div", { class: "page-head" },
    h("h1", { tabindex: "-1", id: "page-title" }, text), ...extra);
}

let uid = 0;
/** @param {string} [prefix] */
export function uniqueId(prefix = "id") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Replace an element's children; null/false children are skipped (unlike replaceChildren). */
/** @template {Element} E @param {E} el @param {...Child} children @returns {E} */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Append children, skipping null/false ones (unlike Element.append). */
/** @template {Element} E @param {E} el @param {...Child} children @returns {E} */
export function add(el, ...children) {
  return append(el, children);
}
