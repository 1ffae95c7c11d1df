// Giving the event loop a turn between slices of work (training slices, models in a worker job).

/**
 * @internal Resolves after pending events (a cancel message, a click) had their turn.
 * setTimeout would do, but browsers clamp nested timeouts to 4 ms, which would dominate short
 * slices; Node's setImmediate or a message on a private channel runs as soon as the queue is
 * through.
 */
export const yieldToEventLoop: () => Promise<void> = (() => {
  if (typeof setImmediate === 'function') return () => new Promise<void>((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        channel.port2.postMessage(null);
      });
  }
  return () => new Promise<void>((resolve) => setTimeout(resolve, 0));
})();

/** @internal Milliseconds from a monotonic clock where there is one. */
export const now = (): number => (typeof performance === 'object' ? performance.now() : Date.now());
