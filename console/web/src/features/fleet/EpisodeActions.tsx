// Acknowledge (with a note) and shelve (with a reason and an expiry): engineer and admin only.
import { useState } from "preact/hooks";
import { ApiError, post, session } from "../../api/client.ts";
import type { Episode } from "../../api/model.ts";
import { ackPath, shelvePath, unshelvePath } from "../../api/paths.ts";
import { t } from "../../i18n/index.ts";
import { ErrorText, Field, Modal } from "../../shared/ui.tsx";

export const canOperate = () => session.value?.role === "engineer" || session.value?.role === "admin";

const EXPIRY_HOURS = [1, 8, 24, 72, 168];

export function EpisodeActions({ ep, onDone }: { ep: Episode; onDone: () => void }) {
  const [mode, setMode] = useState<"" | "ack" | "shelve" | "unshelve">("");
  const [text, setText] = useState("");
  const [hours, setHours] = useState(24);
  const [error, setError] = useState<ApiError | null>(null);
  if (!canOperate()) return null;
  const close = () => {
    setMode("");
    setText("");
    setError(null);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      if (mode === "ack") await post(ackPath(ep.id), { note: text });
      else if (mode === "unshelve") await post(unshelvePath(ep.id), { reason: text });
      else await post(shelvePath(ep.id), { reason: text, until: new Date(Date.now() + hours * 3600_000).toISOString() });
      close();
      onDone();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const label = `${ep.code} ${ep.train}-${ep.carriage}`;
  return (
    <div class="actions">
      {!ep.acknowledged ? (
        <button type="button" onClick={() => setMode("ack")}>
          {t("ep.ack")}
          <span class="sr-only"> {label}</span>
        </button>
      ) : null}
      {ep.shelved ? (
        <button type="button" onClick={() => setMode("unshelve")}>
          {t("ep.unshelve")}
          <span class="sr-only"> {label}</span>
        </button>
      ) : (
        <button type="button" onClick={() => setMode("shelve")}>
          {t("ep.shelve")}
          <span class="sr-only"> {label}</span>
        </button>
      )}
      <Modal
        open={mode !== ""}
        title={mode === "ack" ? t("ep.ackTitle", { what: label }) : mode === "unshelve" ? t("ep.unshelveFor", { what: label }) : t("ep.shelveTitle", { what: label })}
        onClose={close}
      >
        <form onSubmit={submit}>
          <Field label={mode === "ack" ? t("ep.note") : mode === "unshelve" ? t("ep.unshelveReason") : t("ep.reason")}>
            <textarea name="text" required={mode !== "ack"} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </Field>
          {mode === "shelve" ? (
            <Field label={t("ep.expiry")}>
              <select name="expiry" value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))}>
                {EXPIRY_HOURS.map((h) => (
                  <option key={h} value={h}>
                    {t("ep.hours", { h })}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          <ErrorText error={error} />
          <div class="row">
            <button class="primary" type="submit">
              {mode === "ack" ? t("ep.ack") : mode === "unshelve" ? t("ep.unshelve") : t("ep.shelve")}
            </button>
            <button type="button" onClick={close}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      </Modal>
    </div>
  );
}
