import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t, tx } from "../i18n/index.ts";
import type { ApiError } from "../api/client.ts";

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class="badge" data-status={status}>
      {tx(`status.${status}`, status)}
    </span>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? (
    <p class="muted" role="status">
      {t("common.loading")}
    </p>
  ) : null;
}

export function ErrorText({ error }: { error: ApiError | undefined | null }) {
  if (!error) return null;
  const known = tx(`error.${error.code}`, "");
  return (
    <p class="error" role="alert">
      {known || t("common.error", { msg: error.message })}
    </p>
  );
}

/** A modal dialog (native <dialog>: focus trap, Escape closes). */
export function Modal(props: { open: boolean; title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-label={props.title} onClose={props.onClose}>
      <h2>{props.title}</h2>
      {props.open ? props.children : null}
    </dialog>
  );
}

export function Field(props: { label: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      {props.children}
    </label>
  );
}
