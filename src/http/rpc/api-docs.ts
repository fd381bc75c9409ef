import type { AnyAction } from './registry.js';
import type { ParamSpec } from './schema.js';

/**
 * Renders the API reference (docs/api/) from the Action registry, so the documented parameters are
 * exactly the validated ones. `scripts/gen-api-docs.ts` writes the files; a test fails when they
 * are stale.
 */
export function renderApiDocs(actions: readonly AnyAction[]): Map<string, string> {
  const files = new Map<string, string>();
  const groups = new Map<string, AnyAction[]>();
  for (const a of actions) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);

  const index: string[] = [
    '# OpenDMS API reference',
    '',
    'Generated from the Action registry (`npm run docs:api`); do not edit by hand.',
    '',
    'One endpoint, `/`, GET or POST, RPC style, `Version=2018-11-01`, signed with signature V1',
    '(HMAC-SHA1) or V3 (ACS3-HMAC-SHA256) as the Alibaba Cloud SDKs do. Parameters travel in the query',
    'string or a form body (the "Where" column says where the DMS SDK puts them; both are accepted).',
    'Structured parameters are JSON text, or the `Name.1` / `Name.Key` flattening of legacy clients.',
    'Errors: [errors.md](errors.md). Every Action also accepts `Tid` (tenant; absent or -1: the caller\'s',
    'active tenant).',
    '',
    '| Action | Group | DMS | Coverage of the DMS reference |',
    '| --- | --- | --- | --- |',
  ];
  for (const [group, list] of groups) {
    const file = `${slug(group)}.md`;
    for (const a of list) {
      index.push(`| [${a.name}](${file}#${a.name.toLowerCase()}) | ${group} | ${a.extension ? 'extension' : 'yes'} | ${oneLine(a.coverage)} |`);
    }
    files.set(file, renderGroup(group, list));
  }
  index.push('', `${actions.length} Actions, ${actions.filter((a) => !a.extension).length} from DMS and ${actions.filter((a) => a.extension).length} OpenDMS extensions.`, '');
  files.set('README.md', index.join('\n'));
  return files;
}

function renderGroup(group: string, actions: AnyAction[]): string {
  const out = [`# ${group}`, '', 'Generated from the Action registry; do not edit by hand.', ''];
  for (const a of actions) {
    out.push(`## ${a.name}`, '');
    if (a.extension) out.push('**OpenDMS extension** (no DMS equivalent).', '');
    out.push(a.summary, '', `Coverage: ${a.coverage}`, '');
    out.push('| Param | Type | Required | Where | Values / default | Description |', '| --- | --- | --- | --- | --- | --- |');
    for (const [name, spec] of Object.entries(a.params as Record<string, ParamSpec>)) {
      const values = [
        spec.enumValues ? spec.enumValues.map((v) => `\`${v}\``).join(', ') + (spec.enumCaseInsensitive ? ' (any case)' : '') : '',
        spec.min !== undefined || spec.max !== undefined ? `range ${spec.min ?? '…'}–${spec.max ?? '…'}` : '',
        spec.maxLength !== undefined ? `max ${spec.maxLength}${spec.type === 'list' ? ' items' : ' chars'}` : '',
        spec.defaultValue !== undefined ? `default \`${JSON.stringify(spec.defaultValue)}\`` : '',
      ]
        .filter(Boolean)
        .join('; ');
      out.push(`| ${name} | ${spec.type} | ${spec.required ? 'yes' : 'no'} | ${spec.location} | ${values} | ${oneLine(spec.description)} |`);
    }
    out.push('', `Response (besides \`RequestId\`, \`Success\`; on failure \`ErrorCode\`, \`ErrorMessage\`): ${a.response}`, '');
  }
  return out.join('\n');
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
