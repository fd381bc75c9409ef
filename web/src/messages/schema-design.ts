/** The console's texts for schema-design creation, the design editor and publishing, in English and Simplified Chinese. */
export const en = {
} as const;

export const zh: Record<keyof typeof en, string> = {
};
