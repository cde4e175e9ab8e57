// All visible text comes from the message files (zh-CN default, en); a unit test checks that both
// have the same keys. Numbers and dates are formatted with Intl in the chosen locale.
import { signal } from "@preact/signals";
import en from "./en.json";
import zh from "./zh-CN.json";

export type Locale = "zh-CN" | "en";
export type MessageKey = keyof typeof zh;
const catalogs: Record<Locale, Record<string, string>> = { "zh-CN": zh, en };

function initialLocale(): Locale {
  const saved = typeof localStorage === "undefined" ? null : localStorage.getItem("nb67.locale");
  return saved === "en" || saved === "zh-CN" ? saved : "zh-CN";
}

export const locale = signal<Locale>(initialLocale());

export function setLocale(l: Locale): void {
  locale.value = l;
  localStorage.setItem("nb67.locale", l);
  document.documentElement.lang = l;
}

/** The message for key in the current locale, with {name} placeholders filled in. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const msg = catalogs[locale.value][key] ?? catalogs["zh-CN"][key] ?? key;
  return msg.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** A message key chosen at run time (status names, roles); falls back to the raw value. */
export function tx(key: string, fallback?: string): string {
  const msg = catalogs[locale.value][key];
  return msg ?? fallback ?? key;
}

export function fmtTime(v: string | number | Date | null | undefined): string {
  if (v === null || v === undefined || v === "") return "–";
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) return "–";
  return d.toLocaleString(locale.value, { hour12: false });
}

export function fmtNum(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return v.toLocaleString(locale.value, { maximumFractionDigits: digits });
}

export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d) return t("dur.dh", { d, h });
  if (h) return t("dur.hm", { h, m });
  if (m) return t("dur.ms", { m, s: s % 60 });
  return t("dur.s", { s });
}
