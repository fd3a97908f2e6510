/**
 * Text that came from a user's files (class labels, column and file names, a model module's error
 * messages) must not drive the terminal it is printed on: an escape sequence in a label could clear
 * the screen, set the window title or hide the text around it. Every line scale-bench prints with
 * such text goes through here. HTML, Markdown and CSV escape for their own formats.
 */

/**
 * C0 controls (tab and line feed excepted), DEL, C1 controls (U+009B is a one-byte CSI), and the
 * Unicode bidirectional overrides that reorder what a reader sees ("Trojan Source").
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character shown as "?": escape sequences lose their ESC and print as plain text. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, '?');
}

/** One line: also line breaks and tabs become "?", so a value cannot forge a line of output. */
export function terminalSafeLine(text: string): string {
  return terminalSafe(text).replace(/[\t\n]/g, '?');
}

/**
 * A copy of plain data (parsed JSON: objects, arrays, strings, numbers) with every string made
 * terminalSafeLine: what the terminal reporters render from, so no field of a results file, however
 * crafted, reaches the screen with its control characters.
 */
export function terminalSafeData<T>(value: T): T {
  if (typeof value === 'string') return terminalSafeLine(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => terminalSafeData(item)) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, terminalSafeData(item)])) as T;
  }
  return value;
}
