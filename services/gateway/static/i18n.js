// @ts-check
// Words of the interface, in Vietnamese (default) and English: the message tables are
// i18n/vi.js and i18n/en.js; the names of the API's vocabulary are in labels.js.

import en from "./i18n/en.js";
import vi from "./i18n/vi.js";

/** @typedef {"vi" | "en"} Lang */

const LANG_KEY = "eoffice.lang";
const STRINGS = { vi, en };

/** @type {Lang} */
let current = localStorage.getItem(LANG_KEY) === "en" ? "en" : "vi";

/** The language the interface is in. @returns {Lang} */
export function lang() {
  return current;
}

/** Choose the language (kept for the next visit). @param {string} value */
export function setLang(value) {
  current = value === "en" ? "en" : "vi";
  localStorage.setItem(LANG_KEY, current);
  document.documentElement.lang = current;
}

/**
 * The interface string `key`; functions are called with `args`; the key itself when
 * neither table has it.
 * @param {string} key
 * @param {...any} args
 * @returns {string}
 */
export function t(key, ...args) {
  const entry = STRINGS[current][key] ?? STRINGS.vi[key];
  if (entry === undefined) return key;
  return typeof entry === "function" ? entry(...args) : entry;
}

/** Whether the tables have `key`. @param {string} key */
export function hasMessage(key) {
  return STRINGS.vi[key] !== undefined;
}

/** A size in bytes as B, kB or MB. @param {number | null | undefined} bytes */
export function formatSize(bytes) {
  if (bytes == null) return "";
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${bytes} B`;
}
