import { render } from "preact";
import { useEffect } from "preact/hooks";
import "./styles.css";
import { api, get, session, toSession, type Session } from "./api/client.ts";
import { configureLive, liveState, startLive, stopLive } from "./api/live.ts";
import { locale, setLocale, t, type MessageKey } from "./i18n/index.ts";
import { href, route } from "./router.ts";
import { applyTheme, theme } from "./theme.ts";
import { LoginPage } from "./features/login/LoginPage.tsx";
import { FleetPage } from "./features/fleet/FleetPage.tsx";
import { TrainPage } from "./features/train/TrainPage.tsx";
import { UnitPage } from "./features/unit/UnitPage.tsx";
import { EpisodesPage } from "./features/episodes/EpisodesPage.tsx";
import { ThresholdsPage } from "./features/thresholds/ThresholdsPage.tsx";
import { PipelinePage } from "./features/pipeline/PipelinePage.tsx";
import { UsersPage } from "./features/users/UsersPage.tsx";
import { startFleet } from "./features/fleet/store.ts";
import { LIVE_PATH, LOGOUT_PATH, SESSION_PATH } from "./api/paths.ts";

// Every screen shows fleet state; one subscription to all devices serves them all.
configureLive(LIVE_PATH, [{ type: "subscribe", devices: ["*"] }]);

const PAGES: { page: string; key: MessageKey; admin?: boolean }[] = [
  { page: "fleet", key: "nav.fleet" },
  { page: "train", key: "nav.train" },
  { page: "unit", key: "nav.unit" },
  { page: "episodes", key: "nav.episodes" },
  { page: "thresholds", key: "nav.thresholds" },
  { page: "pipeline", key: "nav.pipeline" },
  { page: "users", key: "nav.users", admin: true },
];

function Page({ name }: { name: string }) {
  switch (name) {
    case "train":
      return <TrainPage />;
    case "unit":
      return <UnitPage />;
    case "episodes":
      return <EpisodesPage />;
    case "thresholds":
      return <ThresholdsPage />;
    case "pipeline":
      return <PipelinePage />;
    case "users":
      return <UsersPage />;
    default:
      return <FleetPage />;
  }
}

function Shell() {
  const s = session.value as Session;
  const current = route.value.page;
  const title = PAGES.find((p) => p.page === current)?.key ?? "nav.fleet";
  useEffect(() => {
    document.title = `${t(title)} · ${t("app.title")}`;
  }, [title, locale.value]);
  const logout = async () => {
    try {
      await api("POST", LOGOUT_PATH, {});
    } finally {
      stopLive();
      session.value = null;
    }
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        {t("nav.skip")}
      </a>
      <header class="top">
        <span class="brand">{t("app.title")}</span>
        <nav class="main" aria-label={t("nav.label")}>
          <ul>
            {PAGES.filter((p) => !p.admin || s.role === "admin").map((p) => (
              <li key={p.page}>
                <a href={href(p.page)} aria-current={current === p.page ? "page" : undefined}>
                  {t(p.key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="tools">
          <span class="conn" data-state={liveState.value} role="status" aria-live="polite">
            {t(`live.${liveState.value}` as MessageKey)}
          </span>
          <button
            type="button"
            data-testid="lang"
            lang={locale.value === "zh-CN" ? "en" : "zh-CN"}
            onClick={() => setLocale(locale.value === "zh-CN" ? "en" : "zh-CN")}
          >
            {t("app.otherLanguage")}
          </button>
          <button
            type="button"
            data-testid="theme"
            aria-pressed={theme.value === "light"}
            onClick={() => applyTheme(theme.value === "dark" ? "light" : "dark")}
          >
            {t("app.lightTheme")}
          </button>
          <span class="muted">
            {s.user} · {t(`role.${s.role}` as MessageKey)}
          </span>
          <button type="button" onClick={logout}>
            {t("app.logout")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page name={current} />
      </main>
    </>
  );
}

function App() {
  useEffect(() => {
    document.documentElement.lang = locale.value;
    document.documentElement.dataset.theme = theme.value;
    get<unknown>(SESSION_PATH)
      .then((s) => (session.value = toSession(s)))
      .catch(() => (session.value = null));
    // The fleet state is wanted on every screen: ask for it alongside the session, not after it
    // (a 401 is ignored; the page asks again after login).
    startFleet();
  }, []);
  useEffect(() => {
    if (session.value) startLive();
  }, [session.value]);
  if (session.value === undefined) return <p class="muted">{t("common.loading")}</p>;
  if (session.value === null) return <LoginPage />;
  return <Shell />;
}

setLocale(locale.value);
render(<App />, document.getElementById("app")!);
