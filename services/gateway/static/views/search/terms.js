// @ts-check
// What the URL, a saved search and an export carry: the words, the filters and the
// order ("sort": absent for the default, best hits first; "date" for newest first); and
// the facets of a search's first page, kept for its later pages.

import { user } from "../../state.js";

export const FILTERS = ["q", "direction", "document_type", "urgency", "from", "to", "sort"];
export const NARROWING = ["direction", "document_type", "urgency", "from", "to"];

/** A search's terms by name ("" when not given). @typedef {Record<string, string>} Terms */

// The facets of a search's first page, by who searched, its words and its filters (not
// its order or page, which do not change them): a later page asks for none and shows these.
const FACETS_KEPT = 30;
const facetsKept = new Map();

/** @param {Terms} values */
function facetsKey(values) {
  return JSON.stringify([user()?.id || "", ...["q", ...NARROWING].map((k) => values[k] || "")]);
}

/** The facets kept for this search, if any. @param {Terms} values */
export function keptFacets(values) {
  return facetsKept.get(facetsKey(values));
}

/** Keep a first page's facets (the oldest kept go first). @param {Terms} values @param {any} facets */
export function keepFacets(values, facets) {
  const key = facetsKey(values);
  facetsKept.delete(key);
  facetsKept.set(key, facets);
  while (facetsKept.size > FACETS_KEPT) facetsKept.delete(facetsKept.keys().next().value);
}

/** The search's terms as the API takes them (nothing empty, no default order). @param {Terms} values */
export function termsOf(values) {
  return Object.fromEntries(FILTERS.filter((k) => values[k]).map((k) => [k, values[k]]));
}

/** The address of a search's page. @param {Terms} values @param {number} [page] */
export function searchHash(values, page = 1) {
  const params = new URLSearchParams();
  for (const key of FILTERS) if (values[key]) params.set(key, values[key]);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return `#/search${text ? `?${text}` : ""}`;
}
