import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Role } from '../domain/org';

const Id = z.string().trim().min(1, '不能为空');
const IdList = z.array(Id);
/** A role is a list of user ids, or a map region → list. */
const RoleMembers = z.union([IdList, z.record(z.string().min(1), IdList)]);
const PlatformIds = { feishu: Id.optional(), dingtalk: Id.optional(), wecom: Id.optional() };
/** What an admin knows of a person: resolved to platform ids through each platform's contact API (directory). */
const Email = z.string().trim().toLowerCase().pipe(z.email('不是有效的邮箱地址'));
/** Digits, optionally `+<country code>` first; spaces and dashes are dropped (`+86 138-0000-0000`). */
const Mobile = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\+?\d{5,20}$/, '不是有效的手机号（只写数字，可带 + 和国家区号）'));
const Contacts = { email: Email.optional(), mobile: Mobile.optional() };

export const OrgFileSchema = z
  .object({
    users: z
      .array(z.object({ id: Id, name: Id, ...PlatformIds, ...Contacts }).strict())
      .min(1, 'at least one user is required'),
    /** An open set of role ids (the process file names them); checkOrgAgainstProcess checks they match. */
    roles: z.record(Id, RoleMembers),
    /** Optional display names for regions, e.g. { north: 北方 }. */
    region_names: z.record(z.string().min(1), Id).optional(),
    chats: z.record(z.string().min(1), z.object(PlatformIds).strict()).optional(),
  })
  .strict()
  .superRefine((org, ctx) => {
    const ids = new Set<string>();
    org.users.forEach((u, i) => {
      if (ids.has(u.id))
        ctx.addIssue({ code: 'custom', path: ['users', i, 'id'], message: `duplicate user id "${u.id}"` });
      ids.add(u.id);
    });
    // A platform id, an e-mail or a mobile names one person only.
    for (const key of ['feishu', 'dingtalk', 'wecom', 'email', 'mobile'] as const) {
      const what = key === 'email' || key === 'mobile' ? key : `${key} id`;
      const first = new Map<string, number>();
      org.users.forEach((u, i) => {
        const v = u[key];
        if (v === undefined) return;
        const at = first.get(v);
        if (at === undefined) first.set(v, i);
        else
          ctx.addIssue({
            code: 'custom',
            path: ['users', i, key],
            message: `duplicate ${what} "${v}" (also users.${at})`,
          });
      });
    }
    for (const [role, members] of Object.entries(org.roles)) {
      const lists: [string[], (string | number)[]][] = Array.isArray(members)
        ? [[members, ['roles', role]]]
        : Object.entries(members).map(([region, list]) => [list, ['roles', role, region]]);
      for (const [list, path] of lists) {
        list.forEach((id, i) => {
          if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `unknown user id "${id}"` });
        });
      }
    }
  });

export type OrgFile = z.infer<typeof OrgFileSchema>;

export class OrgFileError extends Error {
  override name = 'OrgFileError';
}

/** Parses YAML (or JSON) text; errors name the key path and what is wrong. */
export function parseOrgFile(text: string, source: string): OrgFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new OrgFileError(`${source}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = OrgFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const at = i.path.join('.') || '(root)';
      if (i.code !== 'unrecognized_keys') return `  - ${at}: ${i.message}`;
      return `  - ${i.keys.map((k) => (i.path.length ? `${at}.${k}` : k)).join(', ')}: unknown key`;
    });
    throw new OrgFileError(`${source}: invalid organisation file:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Regions are whatever keys the file uses under region-split roles. */
export function regionsOf(org: OrgFile): string[] {
  const set = new Set<string>();
  for (const members of Object.values(org.roles)) {
    if (members && !Array.isArray(members)) for (const r of Object.keys(members)) set.add(r);
  }
  return [...set];
}

export type { Role };
