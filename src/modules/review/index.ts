/** SQL review rule engine (DC_COMMON precheck; schema-design tickets: the DDL analysis and rules). See README.md. */
export { analyzeDml, analyzeDmlAsync, MAX_PARSE_CHARS } from './analyze.js';
export { activeRules, blocksSubmission, defaultLevelOf, reviewDml, statusByStatement, type ActiveRule } from './engine.js';
export { collectFacts, type FactsLookup } from './facts.js';
export { DML_RULES } from './rules/index.js';
export type * from './types.js';
export { analyzeDdl, analyzeDdlStatement } from './ddl-analyze.js';
export { reviewDdl, type DdlReviewedStatement, type DdlReviewResult } from './ddl-review.js';
export { DDL_RULES } from './ddl-rules/index.js';
export { DdlSchemaState } from './ddl-schema-state.js';
export { narrowing, parseColumnType, sameType, type ColumnType, type TypeFamily } from './ddl-rules/column-types.js';
export { parseServerVersion, type ServerVersion } from './ddl-rules/server-version.js';
export type * from './ddl-types.js';
