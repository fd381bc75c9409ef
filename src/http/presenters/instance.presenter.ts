import type { Instance, Person } from '../../modules/instances/instance.model.js';

/**
 * DMS wire shapes for instances. The database password is never read back from the store: like
 * DMS, `DatabasePassword` is a fixed mask. Cloud-only fields (VpcId, EcsInstanceId, EcsRegion) and
 * SellTrust are left out, which is how DMS reports them unset.
 */

/** Owners as DMS wraps them: `OwnerIdList.OwnerIds[]` (ids as strings) and `OwnerNameList.OwnerNames[]`. */
export function presentOwners(owners: readonly Person[]): Record<string, unknown> {
  return {
    OwnerIdList: { OwnerIds: owners.map((o) => String(o.userId)) },
    OwnerNameList: { OwnerNames: owners.map((o) => o.nickName) },
  };
}

export const PASSWORD_MASK = '******';

/** `Instance` of ListInstances (SellSitd a boolean) and GetInstance (SellSitd a string). */
export function presentInstance(i: Instance, sellSitdAsString: boolean): Record<string, unknown> {
  return {
    DataLinkName: i.dataLinkName ?? undefined,
    DatabasePassword: PASSWORD_MASK,
    DatabaseUser: i.databaseUser,
    DbaId: String(i.dba.userId),
    DbaNickName: i.dba.nickName,
    DdlOnline: i.ddlOnline,
    EnvType: i.envType,
    ExportTimeout: i.exportTimeoutSeconds,
    Host: i.host,
    InstanceAlias: i.alias,
    InstanceId: String(i.instanceId),
    InstanceSource: i.source,
    InstanceType: i.engine,
    ...presentOwners(i.owners),
    Port: i.port,
    QueryTimeout: i.queryTimeoutSeconds,
    SafeRuleId: i.safeRule ?? undefined,
    // OpenDMS has no sensitive-data protection add-on.
    SellSitd: sellSitdAsString ? 'false' : false,
    Sid: i.sid ?? undefined,
    // Every instance is under ticket control, which DMS calls Security Collaboration (COMMON).
    StandardGroup: { GroupMode: 'COMMON', GroupName: i.safeRule ?? undefined },
    State: i.state,
    UseDsql: i.useDsql,
  };
}
