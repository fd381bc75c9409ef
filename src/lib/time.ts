/** DMS renders times as `yyyy-MM-dd HH:mm:ss` in the service's zone (reference §1.4). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function formatDmsTime(epochMs: number, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Renders an optional time; DMS leaves absent times out, so callers get undefined back. */
export function formatOptionalDmsTime(epochMs: number | null | undefined, timeZone: string): string | undefined {
  return epochMs === null || epochMs === undefined ? undefined : formatDmsTime(epochMs, timeZone);
}

/**
 * Parses `yyyy-MM-dd HH:mm:ss` (or `yyyy-MM-dd`) given in the service's zone into epoch ms; null
 * when the text is not such a time.
 */
export function parseDmsTime(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const asUtc = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
  if (Number.isNaN(asUtc)) return null;
  // The zone's offset at that instant: render the UTC guess in the zone and measure the difference.
  const rendered = formatDmsTime(asUtc, timeZone);
  const back = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(rendered)!;
  const renderedUtc = Date.UTC(+back[1]!, +back[2]! - 1, +back[3]!, +back[4]!, +back[5]!, +back[6]!);
  return asUtc - (renderedUtc - asUtc);
}
