// Dark (control room, default) and light themes: CSS variables switched by data-theme on <html>.
import { signal } from "@preact/signals";

export type Theme = "dark" | "light";
const saved = typeof localStorage === "undefined" ? null : localStorage.getItem("nb67.theme");
export const theme = signal<Theme>(saved === "light" ? "light" : "dark");

export function applyTheme(t: Theme): void {
  theme.value = t;
  localStorage.setItem("nb67.theme", t);
  document.documentElement.dataset.theme = t;
}
