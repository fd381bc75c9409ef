/**
 * Times: the Actions speak `yyyy-MM-dd HH:mm:ss` in the service time zone (SessionInfo.TimeZone);
 * the console shows them in the browser's zone and sends filters back in the service's.
 */

function partsIn(epoch: number, timeZone: string): Record<string, number> {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(epoch))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The offset of `timeZone` from UTC at `epoch`, in ms. */
function offset(epoch: number, timeZone: string): number {
  const p = partsIn(epoch, timeZone);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!) - Math.floor(epoch / 1000) * 1000;
}

/** A service time text → epoch ms (undefined when it is not one). */
export function parseServerTime(text: string | undefined, timeZone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text ?? '');
  if (!m) return undefined;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const first = wall - offset(wall, timeZone);
  return wall - offset(first, timeZone);
}

/** Epoch ms → `yyyy-MM-dd HH:mm:ss` in the service zone (for ListOrders StartTime/EndTime). */
export function formatServerTime(epoch: number, timeZone: string): string {
  const p = partsIn(epoch, timeZone);
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** A service time shown in the browser's zone and language. */
export function showTime(text: string | undefined, timeZone: string, locale: string): string {
  const epoch = parseServerTime(text, timeZone);
  if (epoch === undefined) return text ?? '';
  return new Date(epoch).toLocaleString(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
