/** What asked a long-running command to stop. */
export type StopReason = 'SIGTERM' | 'SIGINT' | 'abort';

export interface StopListener {
  /** Resolves with the first stop request. */
  readonly requested: Promise<StopReason>;
  /** Stops listening: once the command has stopped, or when its start failed. */
  dispose(): void;
}

/**
 * SIGTERM, SIGINT or `signal` as a promise, listened for from this call on. Long-running commands
 * arm it before they start anything or announce readiness: a supervisor that stops a process right
 * after its ready line (or during its start) gets a clean stop, not the default action of a signal
 * nobody listens to yet, which kills the process mid-write. A second signal while stopping forces
 * the exit (130).
 */
export function listenForStop(signal?: AbortSignal): StopListener {
  let resolve!: (reason: StopReason) => void;
  const requested = new Promise<StopReason>((r) => (resolve = r));
  let stopping = false;
  const stop = (reason: StopReason) => {
    if (stopping) {
      if (reason !== 'abort') process.exit(130);
      return;
    }
    stopping = true;
    resolve(reason);
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  const onAbort = () => stop('abort');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    requested,
    dispose() {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
