/** The error answer of the edge boxes that answer browsers (router, marketing site): an HTML page. */

/** Thrown by a route; the box's one error writer sends it with the lab's page headers (util/html-page.ts). */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    /** The page's body, already HTML. */
    readonly html: string,
  ) {
    super(`HTTP ${status}: ${title}`);
  }
}
