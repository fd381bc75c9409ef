/**
 * Deterministic rows for the demo shop: a seeded PRNG and small pools of realistic values, with
 * non-ASCII names and cities, an apostrophe (O'Brien), and NULLs where a shop really has gaps.
 */

/** mulberry32: tiny, fast, good enough for demo data, and the same sequence on every machine. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** [as written, ASCII form for e-mail addresses] */
type Name = readonly [string, string];

export const FIRST_NAMES: readonly Name[] = [
  ['Zoë', 'zoe'], ['José', 'jose'], ['Łukasz', 'lukasz'], ['Søren', 'soren'], ['François', 'francois'],
  ['Sofía', 'sofia'], ['Björn', 'bjorn'], ['Chloé', 'chloe'], ['Jürgen', 'jurgen'], ['Ágnes', 'agnes'],
  ['Çağla', 'cagla'], ['Siobhán', 'siobhan'], ['Amélie', 'amelie'], ['Anna', 'anna'], ['Mia', 'mia'],
  ['Noah', 'noah'], ['Liam', 'liam'], ['Emma', 'emma'], ['Olivia', 'olivia'], ['Mateo', 'mateo'],
  ['Oliver', 'oliver'], ['Ava', 'ava'], ['Lucas', 'lucas'], ['Ingrid', 'ingrid'], ['Marta', 'marta'],
  ['Pedro', 'pedro'], ['Giulia', 'giulia'], ['Hannah', 'hannah'], ['Ethan', 'ethan'], ['Nikolaj', 'nikolaj'],
];

export const LAST_NAMES: readonly Name[] = [
  ['Müller', 'muller'], ['García', 'garcia'], ['Nowak', 'nowak'], ['Jørgensen', 'jorgensen'], ['Dubois', 'dubois'],
  ['Fernández', 'fernandez'], ['Schröder', 'schroder'], ['Lefèvre', 'lefevre'], ['Wójcik', 'wojcik'], ['Yılmaz', 'yilmaz'],
  ["O'Brien", 'obrien'], ['Ærø', 'aero'], ['Smith', 'smith'], ['Rossi', 'rossi'], ['Kowalski', 'kowalski'],
  ['Johnson', 'johnson'], ['Brown', 'brown'], ['Nielsen', 'nielsen'], ['Silva', 'silva'], ['Andersson', 'andersson'],
];

/** Written family name first, without a space, as these names are. */
export const CJK_NAMES: readonly Name[] = [
  ['王芳', 'wang.fang'], ['李伟', 'li.wei'], ['张敏', 'zhang.min'], ['刘洋', 'liu.yang'], ['陈静', 'chen.jing'],
  ['杨磊', 'yang.lei'], ['佐藤健', 'sato.ken'], ['鈴木花子', 'suzuki.hanako'],
];

/** [city, ISO 3166 country, phone prefix] */
export const CITIES: ReadonlyArray<readonly [string, string, string]> = [
  ['Berlin', 'DE', '+49 30'], ['München', 'DE', '+49 89'], ['Kraków', 'PL', '+48 12'], ['Łódź', 'PL', '+48 42'],
  ['Paris', 'FR', '+33 1'], ['Lyon', 'FR', '+33 4'], ['Madrid', 'ES', '+34 91'], ['Málaga', 'ES', '+34 952'],
  ['København', 'DK', '+45'], ['Ærøskøbing', 'DK', '+45'], ['Zürich', 'CH', '+41 44'], ['São Paulo', 'BR', '+55 11'],
  ['New York', 'US', '+1 212'], ['Chicago', 'US', '+1 312'], ['Montréal', 'CA', '+1 514'], ['Toronto', 'CA', '+1 416'],
  ['北京', 'CN', '+86 10'], ['上海', 'CN', '+86 21'], ['東京', 'JP', '+81 3'], ['İstanbul', 'TR', '+90 212'],
  ['Reykjavík', 'IS', '+354'], ['Dublin', 'IE', '+353 1'], ['London', 'GB', '+44 20'], ['Milano', 'IT', '+39 02'],
];

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example'] as const;

/** [category, SKU prefix, lowest and highest price in cents, product nouns] */
export const CATEGORIES: ReadonlyArray<readonly [string, string, number, number, readonly string[]]> = [
  ['Coffee & Tea', 'BEV', 399, 3999, ['Espresso Beans 1 kg', 'Matcha Powder 100 g', 'Earl Grey Tea', 'Café Crème Pods', 'Rooibos Tea', 'Cold Brew Kit']],
  ['Kitchen', 'KIT', 799, 14999, ["Chef's Knife", 'Cast Iron Pan', 'Crème Brûlée Torch', 'Salad Spinner', 'Pepper Mill', 'Smørrebrød Board']],
  ['Electronics', 'ELE', 1499, 29999, ['USB-C Charger', 'Wireless Earbuds', 'Bluetooth Speaker', 'E-Reader', 'Smart Plug', 'Desk Lamp']],
  ['Outdoor', 'OUT', 999, 24999, ['Trail Backpack', 'Camping Stove', 'Rain Jacket', 'Water Bottle 750 ml', 'Head Torch', 'Hammock']],
  ['Home', 'HOM', 599, 19999, ['Linen Duvet Cover', 'Scented Candle', 'Wool Throw', 'Ceramic Vase', 'Bath Towel Set', 'Doormat']],
  ['Pantry', 'PAN', 199, 2499, ['Jalapeño Hot Sauce', 'Olive Oil 500 ml', 'Sea Salt Flakes', 'Maple Syrup', 'Dark Chocolate 70 %', 'Basmati Rice 2 kg']],
];

export const ADJECTIVES = ['Classic', 'Organic', 'Premium', 'Compact', 'Deluxe', 'Everyday', 'Nordic', 'Artisan', 'Eco', 'Pro'] as const;

export const ORDER_NOTES = [
  'Leave at the front door',
  'Please call before delivery',
  'Gift wrap, no invoice in the box',
  'Bitte beim Nachbarn abgeben',
  'Livrer après 18h',
  '请在工作日送货',
  'Fragile — handle with care',
  "Customer's birthday present",
] as const;

/** `2024-03-05 14:07:00` from seconds since the epoch, in UTC. */
export function formatTimestamp(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export function epochSeconds(timestamp: string): number {
  return Date.parse(`${timestamp.replace(' ', 'T')}Z`) / 1000;
}
