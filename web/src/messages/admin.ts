/** The console's texts for administration pages (users, access keys, approval templates and rules, review rules, R&D flow, webhooks), in English and Simplified Chinese. */
export const en = {
} as const;

export const zh: Record<keyof typeof en, string> = {
};
