/** `text` as a regular expression that matches it literally (a path, a key, a tag pattern's fixed part). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
