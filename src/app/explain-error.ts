/**
 * An error's message as the page says it. A module or data file that failed to load (the app was
 * rebuilt on its server since this page loaded, or the connection dropped) says what to do: the
 * browser's own words ("Failed to fetch dynamically imported module: …/assets/0-C8xmMkdT.js") name
 * a file the reader has never heard of (walkthrough 10).
 */
const LOAD_FAILURE = /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Loading chunk \S+ failed/i;

export function explainError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (LOAD_FAILURE.test(message)) {
    return `part of the page could not be loaded (the app was updated on its server since this page was opened, or the connection dropped): reload the page and try again (${message})`;
  }
  return message;
}
