/** One-time store work (indexing an old store) shared by concurrent callers; a failure is not kept, so the next call tries again. */
export function onceUntilDone(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () =>
    (running ??= work().catch((error: unknown) => {
      running = undefined;
      throw error;
    }));
}
