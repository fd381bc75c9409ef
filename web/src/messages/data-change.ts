/** The console's texts for data-change creation and review findings, in English and Simplified Chinese. */
export const en = {
} as const;

export const zh: Record<keyof typeof en, string> = {
};
