// A WebSocket client of the step-results channel that keeps the state the way a page does (full state, then
// changes) and waits for conditions on it, bounded.
import { WebSocket } from 'ws';
import { resultsPath, type EngineStatusJson, type ResultsClientMessage, type ResultsServerMessage, type StepResultJson } from '../../src/protocol.ts';

export class ResultsClient {
  readonly socket: WebSocket;
  readonly results = new Map<string, StepResultJson>();
  readonly messages: ResultsServerMessage[] = [];
  engine: EngineStatusJson | undefined;
  readonly #waiters = new Set<() => void>();
  /** Called on every message, with the time it arrived (benchmarks). */
  onMessage: ((message: ResultsServerMessage, at: number) => void) | undefined;

  static async open(serverUrl: string, options: { token?: string; origin?: string } = {}): Promise<ResultsClient> {
    const url = new URL(resultsPath, serverUrl);
    if (options.token) url.searchParams.set('token', options.token);
    const socket = new WebSocket(url, { headers: { origin: options.origin ?? new URL(serverUrl).origin } });
    // Listening before the socket opens: the server's first message can arrive in the same chunk as the upgrade.
    const client = new ResultsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const at = performance.now();
      const message = JSON.parse(String(data)) as ResultsServerMessage;
      this.messages.push(message);
      if (message.type === 'results') {
        this.results.clear();
        for (const result of message.results) this.results.set(result.stepId, result);
        this.engine = message.engine;
      } else if (message.type === 'result') {
        this.results.set(message.result.stepId, message.result);
      } else if (message.type === 'engine') {
        this.engine = message.engine;
      }
      this.onMessage?.(message, at);
      for (const waiter of [...this.#waiters]) waiter();
    });
  }

  send(message: ResultsClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Resolves with the step's result once `predicate` holds for it; fails after `timeoutMs` saying what it saw. */
  until(stepId: string, predicate: (result: StepResultJson) => boolean, timeoutMs = 30_000): Promise<StepResultJson> {
    return this.waitFor(
      () => {
        const result = this.results.get(stepId);
        return result && predicate(result) ? result : undefined;
      },
      timeoutMs,
      () => JSON.stringify(this.results.get(stepId)),
    );
  }

  waitFor<T>(probe: () => T | undefined, timeoutMs = 30_000, describe: () => string = () => ''): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value === undefined) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        clearInterval(poll);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        clearInterval(poll);
        reject(new Error(`condition not met within ${timeoutMs} ms; last seen: ${describe()}`));
      }, timeoutMs);
      // Conditions on something else than messages (the server's counters) are looked at now and then too.
      const poll = setInterval(check, 50);
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.socket.close();
  }
}
