/** Size limits of ticket content (docs/tickets.md lists them). */
export const LIMITS = {
  /** The business reason; a paragraph, not a document. */
  commentChars: 4000,
  /** SQL given inline; larger scripts go through an attachment. */
  sqlTextChars: 10 * 1024 * 1024,
  titleChars: 256,
  relatedUsers: 100,
  targetDatabases: 200,
} as const;
