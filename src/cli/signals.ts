/**
 * Ctrl-C (SIGINT) and SIGTERM, from the launcher's first line to the process's last. The launcher
 * installs these handlers before it loads anything else, so there is no moment at which a signal
 * kills scale-bench with Node's default (exit by signal, 130 or 143 in a shell, no message).
 *
 * Each moment of a command has one reaction to the first signal, set with `onInterrupt`: by default
 * (loading, planning, a command that saves nothing) the process says it was interrupted and exits
 * 130 at once; a run that has saved results stops its workers and returns through its normal path,
 * so the one line it prints can say exactly what was saved. A second signal always exits 130 at once.
 *
 * This module imports nothing heavy: the launcher loads it before the CLI.
 */

export const EXIT_INTERRUPTED = 130;

/** What the current moment does with the first signal. */
export type InterruptReaction = (signal: NodeJS.Signals) => void;

interface SignalState {
  installed: boolean;
  reaction: InterruptReaction | undefined;
  received: NodeJS.Signals | undefined;
  /** The text a second signal prints before exiting (where the results are, when they exist). */
  lastWords: string | undefined;
}

const state: SignalState = { installed: false, reaction: undefined, received: undefined, lastWords: undefined };

/** One line on stderr, written synchronously: the process may exit right after. */
function say(line: string): void {
  try {
    process.stderr.write(`scale-bench: ${line}\n`);
  } catch {
    // stderr closed (a pipe whose reader left): the exit code still tells.
  }
}

/** Exits 130 now with one line; pending writes are atomic (temp + rename), so none is left torn. */
export function exitInterrupted(line: string): never {
  say(line);
  process.exit(EXIT_INTERRUPTED);
}

function handle(signal: NodeJS.Signals): void {
  if (state.received !== undefined) {
    exitInterrupted(state.lastWords ?? `interrupted again (${signal}): quitting now`);
  }
  state.received = signal;
  const reaction = state.reaction;
  if (reaction) reaction(signal);
  else exitInterrupted(`interrupted (${signal})`);
}

/** Installs the SIGINT and SIGTERM handlers once per process; the launcher calls it first thing. */
export function installSignalHandlers(): void {
  if (state.installed) return;
  state.installed = true;
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/**
 * Sets what the first signal does from now on (undefined: the default, exit 130 at once), and what
 * a second one says. Returns the signal already received, if one arrived before: the caller must
 * then stop as if it had just come.
 */
export function onInterrupt(reaction: InterruptReaction | undefined, lastWords?: string): NodeJS.Signals | undefined {
  installSignalHandlers();
  state.reaction = reaction;
  state.lastWords = lastWords;
  return state.received;
}

/** The signal received so far, if any. */
export function interruptReceived(): NodeJS.Signals | undefined {
  return state.received;
}
