/** SQL review rule engine (DC_COMMON precheck now, schema-design tickets later). See README.md. */
export { analyzeDml, analyzeDmlAsync, MAX_PARSE_CHARS } from './analyze.js';
export { activeRules, blocksSubmission, reviewDml } from './engine.js';
export { collectFacts, type FactsLookup } from './facts.js';
export { DML_RULES } from './rules/index.js';
export type * from './types.js';
