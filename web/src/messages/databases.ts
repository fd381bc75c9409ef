/** The console's texts for the instance, database, table and column browser, in English and Simplified Chinese. */
export const en = {
} as const;

export const zh: Record<keyof typeof en, string> = {
};
