/**
 * The one answer budget for card callbacks, shared by the webhook and the long connection:
 * Feishu shows the user an error when the answer takes more than 3 s, so whatever the handler has
 * by the deadline is what goes out, and the handler learns that it has gone (`answered`).
 */
export interface AnswerBudget {
  /** Epoch ms by which the answer must be sent (receipt + budget). */
  readonly deadline: number;
  /** True once the answer has been sent: later toasts cannot be shown, cards must be PATCHed. */
  readonly answered: boolean;
  /** Resolves when the answer is sent (at the deadline at the latest). */
  readonly whenAnswered: Promise<void>;
  /**
   * Resolves a little before the deadline: a handler that waits on its work should answer with
   * what it has by then (the hard deadline answers `{}` for it).
   */
  readonly timeToAnswer: Promise<void>;
}

/** How long before the hard deadline a handler is told to answer with what it has. */
const SOFT_MARGIN_MS = 100;

/** Feishu allows 3 s; 2.5 s leaves room for the network and the HTTP write. */
export const DEFAULT_CARD_BUDGET_MS = 2500;

/**
 * Runs `work(budget)` and resolves with its value, or with `late()` when the deadline comes first
 * (the work goes on; `onLateError` hears of its failure). `receivedAt` is when the request arrived.
 *
 * @example
 * const answer = await answerWithin(Date.now(), 2500, (budget) => router.handle(action, budget), () => ({}));
 */
export async function answerWithin<T>(
  receivedAt: number,
  budgetMs: number,
  work: (budget: AnswerBudget) => Promise<T>,
  late: () => T,
  onLateError?: (err: unknown) => void,
): Promise<{ value: T; inTime: boolean } | { error: unknown; inTime: true }> {
  let markAnswered!: () => void;
  let answered = false;
  const whenAnswered = new Promise<void>((resolve) => (markAnswered = resolve));
  let softTimer: NodeJS.Timeout | undefined;
  const timeToAnswer = new Promise<void>((resolve) => {
    softTimer = setTimeout(resolve, Math.max(0, receivedAt + budgetMs - SOFT_MARGIN_MS - Date.now()));
    softTimer.unref();
  });
  const budget: AnswerBudget = {
    deadline: receivedAt + budgetMs,
    get answered() {
      return answered;
    },
    whenAnswered,
    timeToAnswer,
  };
  const running = Promise.resolve().then(() => work(budget));
  let timer: NodeJS.Timeout | undefined;
  const LATE = Symbol('late');
  const outcome = await Promise.race([
    running.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), Math.max(0, receivedAt + budgetMs - Date.now())))),
  ]);
  clearTimeout(timer);
  clearTimeout(softTimer);
  answered = true;
  markAnswered();
  if (outcome === LATE) {
    running.catch((err: unknown) => onLateError?.(err));
    return { value: late(), inTime: false };
  }
  if ('error' in outcome) return { error: outcome.error, inTime: true };
  return { value: outcome.value, inTime: true };
}
