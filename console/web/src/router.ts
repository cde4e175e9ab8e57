// Hash routing: every piece of state (page, train, carriage, unit, range, filters) lives in the URL,
// so a link can be shared and a reload lands on the same screen. Works whatever path serves index.html.
import { signal } from "@preact/signals";

export interface Route {
  page: string;
  /** Path segments after the page, e.g. unit/7001/3/1 -> ["7001", "3", "1"]. */
  parts: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, "");
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { page: segs[0] ?? "fleet", parts: segs.slice(1), query };
}

export const route = signal<Route>(parseHash(typeof location === "undefined" ? "" : location.hash));

if (typeof window !== "undefined") {
  window.addEventListener("hashchange", () => {
    route.value = parseHash(location.hash);
  });
}

export type Query = Record<string, string | number | undefined | null>;

export function href(page: string, parts: (string | number)[] = [], query: Query = {}): string {
  const path = [page, ...parts.map((p) => encodeURIComponent(String(p)))].join("/");
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  }
  const s = qs.toString();
  return `#/${path}${s ? `?${s}` : ""}`;
}

export function navigate(to: string, replace = false): void {
  if (replace) {
    history.replaceState(null, "", to);
    route.value = parseHash(location.hash);
  } else {
    location.hash = to.slice(1);
  }
}

/** Changes some query parameters of the current route (undefined/"" removes one). */
export function setQuery(patch: Query, replace = false): void {
  const r = route.value;
  const q: Query = Object.fromEntries(r.query.entries());
  Object.assign(q, patch);
  navigate(href(r.page, r.parts, q), replace);
}
