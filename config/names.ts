// Small helpers the schema's messages share: typo suggestions and placeholder detection.

/**
 * The candidate closest to `value`, ignoring case, when it is close enough to be a typo: at most
 * max(2, length / `divisor`) edits away (rounded down). Ties go to the earlier candidate.
 */
export function closestName(value: string, candidates: readonly string[], divisor = 4): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(value.length / divisor)) ? best.name : undefined;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The all-zero UUID the shipped files use as a placeholder. */
const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

/** True for the all-zero UUID, or a resource id whose subscription is the all-zero UUID. */
export function isPlaceholderId(value: string): boolean {
  const lower = value.toLowerCase();
  return lower === ZERO_UUID || lower.startsWith(`/subscriptions/${ZERO_UUID}/`) || lower === `/subscriptions/${ZERO_UUID}`;
}
