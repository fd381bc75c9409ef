import { INSTANCE_SOURCES, INSTANCE_STATES, type EnvType } from '../../modules/instances/instance.model.js';
import { AppError } from '../../errors.js';
import {
  deleteInstance,
  getInstance,
  listInstances,
  registerInstance,
  syncInstance,
  updateInstance,
  type InstanceSettings,
} from '../../modules/instances/instances.js';
import { presentInstance } from '../presenters/instance.presenter.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';
import { dbTypeParam, envTypeParam, pageParams, parseId } from './instance-params.js';

const GROUP = 'Instances, databases, tables';

/** RegisterInstance takes four sources; AddInstance adds GATEWAY (accepted by UpdateInstance and ListInstances too). */
const SOURCES_4 = INSTANCE_SOURCES.filter((s) => s !== 'GATEWAY');

const COVERAGE =
  'Engines mysql, mariadb, postgresql and sqlite (OpenDMS extension: Host is a file path under the configured SQLite folder; Port, ' +
  'DatabaseUser and DatabasePassword are then not needed, so they are optional here and required by a business error for the other engines). ' +
  'Cloud-only parameters (NetworkType, VpcId, EcsInstanceId, EcsRegion, ResourceGroup, RoleArn), paid add-ons (EnableSellSitd, EnableSellTrust, ' +
  'EnableSellCommon, EnableSellStable) and classification templates (TemplateId, TemplateType) are not read; a DMS client may still send them.';

const RESPONSE_COVERAGE =
  'Response: DatabasePassword is always the mask ******; VpcId, EcsInstanceId, EcsRegion and SellTrust are absent (cloud-only); ' +
  'SellSitd is false; StandardGroup.GroupMode is COMMON (every instance is under ticket control).';

/** Parameters common to RegisterInstance, AddInstance and UpdateInstance. */
const settingsParams = {
  DataLinkName: p.string('Name for cross-database queries (lowercase letters and _, unique in the tenant); required when UseDsql is 1. Stored.').maxLen(64),
  DatabasePassword: p.string('Login password; stored encrypted and never returned. Not needed for sqlite.').maxLen(1024),
  DatabaseUser: p.string('Login account. Not needed for sqlite.').maxLen(256),
  DdlOnline: p.integer('Lock-free DDL mode: 0 off, 1 online DDL first, 2 lock-free first. Stored.').range(0, 2),
  EnvType: envTypeParam('Environment of the instance and its databases.').req(),
  ExportTimeout: p.integer('Export timeout in seconds (bounds data exports).').req().range(1, undefined),
  Host: p.string('Host name or IP; for sqlite the database file path (inside the configured SQLite folder).').req().maxLen(1024),
  InstanceAlias: p.string('Display name.').req().maxLen(128),
  InstanceType: p.string('Engine code: mysql, mariadb, postgresql or sqlite (any case); other DMS engines give NotSupported.').req(),
  Port: p.integer('Connection port; not needed for sqlite.').range(0, 65535),
  QueryTimeout: p.integer('Query timeout in seconds (bounds every statement OpenDMS runs there).').req().range(1, undefined),
  Sid: p.string('Oracle SID (part of the instance address; OpenDMS engines have none).').maxLen(128),
  SkipTest: p.boolean('true: register without testing the connection (databases are discovered when it can be reached).'),
  UseDsql: p.integer('Cross-database query switch, 0 or 1. Stored.').range(0, 1),
};

type SettingsInput = {
  DataLinkName?: string;
  DatabasePassword?: string;
  DatabaseUser?: string;
  DdlOnline?: number;
  EnvType: EnvType;
  ExportTimeout: number;
  Host: string;
  InstanceAlias: string;
  InstanceType: string;
  Port?: number;
  QueryTimeout: number;
  Sid?: string;
  SkipTest?: boolean;
  UseDsql?: number;
};

function settingsOf(i: SettingsInput, extra: { source: string; dba: InstanceSettings['dba']; safeRule: string | undefined }): InstanceSettings {
  return {
    engine: i.InstanceType,
    host: i.Host,
    port: i.Port,
    sid: i.Sid,
    alias: i.InstanceAlias,
    envType: i.EnvType,
    databaseUser: i.DatabaseUser,
    databasePassword: i.DatabasePassword,
    queryTimeoutSeconds: i.QueryTimeout,
    exportTimeoutSeconds: i.ExportTimeout,
    ddlOnline: i.DdlOnline,
    useDsql: i.UseDsql,
    dataLinkName: i.DataLinkName,
    skipTest: i.SkipTest,
    ...extra,
  };
}

const addressParams = {
  Host: p.string('Connection host (for sqlite the file path).').req().maxLen(1024),
  Port: p.integer('Connection port; may be omitted for a sqlite instance.').range(0, 65535),
  Sid: p.string('Oracle SID.').maxLen(128),
};

export const instanceActions = [
  defineAction({
    name: 'RegisterInstance',
    group: GROUP,
    summary: 'Registers an instance: tests the connection (unless SkipTest) and discovers its databases. ADMIN or DBA.',
    coverage: COVERAGE,
    params: {
      ...settingsParams,
      DbaUid: p.string('Uid of the DBA, a member of the tenant (a long in the DMS SDK; OpenDMS uids are text).').req().maxLen(128),
      DbaUidByString: p.string('Uid of the DBA as text; overrides DbaUid.').maxLen(128),
      InstanceSource: p.enum(SOURCES_4, 'Where the instance lives (informational in OpenDMS).', true).req(),
      SafeRule: p.string('Security rule set name. Stored and shown as SafeRuleId / StandardGroup.GroupName.').req().maxLen(128),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await registerInstance(
        ctx.deps,
        ctx.actor,
        settingsOf(input, { source: input.InstanceSource, dba: { uid: input.DbaUidByString ?? input.DbaUid }, safeRule: input.SafeRule }),
      );
      return {};
    },
  }),
  defineAction({
    name: 'AddInstance',
    group: GROUP,
    summary: 'Adds an instance (the newer form of RegisterInstance; DBA by DMS user id, default the caller). ADMIN or DBA.',
    coverage: `${COVERAGE} UseSsl=1 (forced SSL) is refused with NotSupported.`,
    params: {
      ...settingsParams,
      DbaId: p.long('DMS user id of the DBA, a member of the tenant; default: the caller.'),
      InstanceSource: p.enum(INSTANCE_SOURCES, 'Where the instance lives (informational in OpenDMS).', true).req(),
      SafeRule: p.string('Security rule set name. Stored.').maxLen(128),
      UseSsl: p.integer('SSL mode: 0 auto (default), 1 force, -1 never. Only 0 and -1 are supported.').range(-1, 1),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      if (input.UseSsl === 1) throw new AppError('NotSupported', 'Forced SSL (UseSsl=1) is not supported yet.');
      await registerInstance(
        ctx.deps,
        ctx.actor,
        settingsOf(input, { source: input.InstanceSource, dba: input.DbaId === undefined ? undefined : { userId: input.DbaId }, safeRule: input.SafeRule }),
      );
      return {};
    },
  }),
  defineAction({
    name: 'UpdateInstance',
    group: GROUP,
    summary: 'Replaces the settings of an instance, re-tests the connection (unless SkipTest) and re-runs discovery. ADMIN or DBA.',
    coverage: `${COVERAGE} The engine (InstanceType) cannot change.`,
    params: {
      ...settingsParams,
      InstanceId: p.string('DMS instance id.').req(),
      DbaId: p.string('DMS user id of the DBA, a member of the tenant.').req(),
      InstanceSource: p.enum(INSTANCE_SOURCES, 'Where the instance lives (informational; GATEWAY too, for instances added so).', true).req(),
      SafeRuleId: p.string('Security rule set id or name. Stored.').req().maxLen(128),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      const dba = { userId: parseId('DbaId', input.DbaId) };
      await updateInstance(ctx.deps, ctx.actor, parseId('InstanceId', input.InstanceId), settingsOf(input, { source: input.InstanceSource, dba, safeRule: input.SafeRuleId }));
      return {};
    },
  }),
  defineAction({
    name: 'SyncInstanceMeta',
    group: GROUP,
    summary: 'Re-runs discovery on an instance: new databases get a DbId, vanished ones become NOT_EXIST; unless IgnoreTable, tables get their TableIds. ADMIN or DBA.',
    params: {
      InstanceId: p.string('DMS instance id.').req(),
      IgnoreTable: p.boolean('true: databases only, no table metadata.'),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await syncInstance(ctx.deps, ctx.actor, parseId('InstanceId', input.InstanceId), input.IgnoreTable ?? false);
      return {};
    },
  }),
  defineAction({
    name: 'DeleteInstance',
    group: GROUP,
    summary: 'Removes an instance with its databases\' registrations, owners, table ids and logical-database memberships. ADMIN or DBA.',
    coverage: 'Complete. Port may be omitted for a sqlite instance.',
    params: addressParams,
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await deleteInstance(ctx.deps, ctx.actor, { host: input.Host, port: input.Port, sid: input.Sid });
      return {};
    },
  }),
  defineAction({
    name: 'ListInstances',
    group: GROUP,
    summary: 'Paged list of the tenant\'s instances, filtered by engine, environment, source, state and a keyword (alias or host).',
    coverage: `NetType and Region (cloud-only) are not read. ${RESPONSE_COVERAGE}`,
    acceptsRealLoginUser: true,
    params: {
      DbType: dbTypeParam,
      EnvType: envTypeParam('Only instances of this environment.'),
      InstanceSource: p.enum(INSTANCE_SOURCES, 'Only instances from this source (GATEWAY too, for instances added so).', true),
      InstanceState: p.enum(INSTANCE_STATES, 'Only instances in this state.', true),
      SearchKey: p.string('Keyword matched against alias and host.').maxLen(256),
      ...pageParams,
    },
    response: '`InstanceList.Instance[]`, `TotalCount`',
    handler: async (input, ctx) => {
      const { instances, total } = await listInstances(
        ctx.deps,
        ctx.actor,
        { dbType: input.DbType, envType: input.EnvType, source: input.InstanceSource, state: input.InstanceState, search: input.SearchKey },
        { number: input.PageNumber, size: input.PageSize },
      );
      return { InstanceList: { Instance: instances.map((i) => presentInstance(i, false)) }, TotalCount: total };
    },
  }),
  defineAction({
    name: 'GetInstance',
    group: GROUP,
    summary: 'One instance by Host + Port (+ Sid); a sqlite instance by Host alone.',
    coverage: RESPONSE_COVERAGE,
    acceptsRealLoginUser: true,
    params: addressParams,
    response: '`Instance`',
    handler: async (input, ctx) => ({
      Instance: presentInstance(await getInstance(ctx.deps, ctx.actor, { host: input.Host, port: input.Port, sid: input.Sid }), true),
    }),
  }),
];
