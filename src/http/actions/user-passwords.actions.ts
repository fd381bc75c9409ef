import { setMemberPassword } from '../../modules/identity/admin-passwords.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

/** OpenDMS extension for the console's user administration (docs/console.md). */
export const userPasswordActions = [
  defineAction({
    name: 'SetUserPassword',
    group: 'Users',
    extension: true,
    summary:
      "Sets a member's web console password; their sessions end. ADMIN only, and only for a user whose every tenant the caller administers (not a deployment administrator).",
    params: {
      Uid: p.string('External user id (login name).').req().maxLen(128),
      Password: p.string('New password: 10 to 200 characters mixing at least two of lower case, upper case, digits and other characters.').req().maxLen(200).inBody(),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await setMemberPassword(ctx.deps, ctx.actor, input.Uid, input.Password);
      return {};
    },
  }),
];
