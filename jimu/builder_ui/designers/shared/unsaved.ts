// The unsaved-changes warning: the browser's own prompt when the page is left (beforeunload),
// and an in-app confirm before following a link of the page while there are unsaved changes.
import { onBeforeUnmount, watchEffect, type Ref } from "vue";

export function useUnsavedWarning(dirty: Ref<boolean>, confirmText: () => string): void {
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (!dirty.value) return;
    event.preventDefault();
    event.returnValue = "";
  };
  const onClick = (event: MouseEvent) => {
    if (!dirty.value) return;
    const link = (event.target as HTMLElement | null)?.closest?.("a[href]");
    if (!link || link.getAttribute("target") === "_blank" || link.closest("[data-no-warn]")) return;
    if (!window.confirm(confirmText())) {
      event.preventDefault();
      event.stopPropagation();
    }
  };
  watchEffect(() => {
    document.documentElement.dataset.unsaved = dirty.value ? "true" : "false";
  });
  window.addEventListener("beforeunload", onBeforeUnload);
  document.addEventListener("click", onClick, true);
  onBeforeUnmount(() => {
    window.removeEventListener("beforeunload", onBeforeUnload);
    document.removeEventListener("click", onClick, true);
  });
}
