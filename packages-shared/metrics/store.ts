/** Where a metrics history is kept: the Actions cache (cache-store.ts) or a branch (branch-store.ts). */

export interface LoadedText {
  /** The history document, undefined when there is none yet. */
  text?: string
  /** Where it came from, for the log and the summary. */
  source: string
}

export interface SaveResult {
  saved: boolean
  detail: string
}

export interface HistoryStore {
  readonly kind: 'cache' | 'branch'
  /** The store, for the summary. */
  readonly where: string
  /** Throws when the store could not be read (which is not the same as empty). */
  load(): Promise<LoadedText>
  /**
   * Saves `next(latest)`: `latest` is what load() read or, for a store that can tell that
   * another run wrote since (a branch that moved), what it holds now. Throws when it fails.
   */
  save(next: (latest: string | undefined) => string): Promise<SaveResult>
}
