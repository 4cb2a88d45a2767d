import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { register } from '../../src/domain/transition';
import { SqliteAuditRepo } from '../../src/store/audit.repo';
import { openDb, PAGE_CACHE_KIB } from '../../src/store/db';
import { SqliteInboundLog } from '../../src/store/inbound-events.repo';
import { SqliteOrgRepo } from '../../src/store/org.repo';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import { auditLog, identities, roleMembers, users } from '../../src/store/schema';
import { demoOrg } from '../helpers/handoff';
import { STANDARD } from '../helpers/process-fixture';

const at = new Date('2026-05-01T00:00:00Z');

function setup() {
  const db = openDb(':memory:');
  const org = new SqliteOrgRepo(db);
  org.load(demoOrg());
  return { db, org, projects: new SqliteProjectRepo(db), audit: new SqliteAuditRepo(db) };
}

describe('store', () => {
  it('creates the database folder and applies the migrations to a new file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'handoff-')), 'nested', 'dir', 'handoff.db');
    const db = openDb(path);
    const tables = db.$client.prepare("select name from sqlite_master where type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['projects', 'audit_log', 'outbox', 'inbound_events']),
    );
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    // 4 MB of page cache, not better-sqlite3's 16 MB default (resident memory of a long-running bot).
    expect(db.$client.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    // Savepoint journals in memory (2), not in a temporary file written page by page (this build's default, 0).
    expect(db.$client.pragma('temp_store', { simple: true })).toBe(2);
    db.$client.close();
    // Opening again re-applies nothing and keeps working.
    openDb(path).$client.close();
  });

  it('loading the org twice leaves the same rows; it builds the view the workflow reads', () => {
    const { db, org } = setup();
    const count = () => [users, identities, roleMembers].map((t) => db.select().from(t).all().length);
    const before = count();
    org.load(demoOrg());
    expect(count()).toEqual(before);
    const view = org.view();
    expect(view.members.special_approver).toEqual({ north: ['yang.huiyu'], south: ['dai.juanxiang'] });
    expect(view.members.sales_lead).toEqual({ '*': ['li.lead'] });
    expect(view.regionNames).toEqual({ north: '北方', south: '南方' });
    expect(org.userByIdentity('local', 'li.lead')).toBe('li.lead');
    expect(org.userByIdentity('feishu', 'li.lead')).toBeNull();
  });

  it('registration numbers count per year and never repeat', () => {
    const { projects } = setup();
    expect([projects.nextRegNo(2026), projects.nextRegNo(2026), projects.nextRegNo(2027)]).toEqual([
      'HO-2026-0001',
      'HO-2026-0002',
      'HO-2027-0001',
    ]);
  });

  it('round-trips a project and its history; update is a compare-and-set on version', () => {
    const { projects, audit, org } = setup();
    const facts = {
      name: 'P',
      customer: 'C',
      kind: 'project' as const,
      region: 'north',
      contractNo: 'HT',
      signed: false,
      paid: false,
      reqLink: 'https://r',
      solutionLink: null,
      formLink: 'https://f',
      operated: true,
      cloud: false,
    };
    const ev = { type: 'register' as const, by: 'wang.sales', at, regNo: 'HO-2026-0001', facts, processVersion: 2 };
    const r = register(ev, STANDARD, org.view());
    if (!r.ok) throw new Error(r.error.code);
    projects.insert(r.value.next);
    audit.append({ ...r.value.record, regNo: 'HO-2026-0001', actorName: '王销售', platform: 'local' });
    const loaded = projects.get('HO-2026-0001');
    expect(loaded).toEqual(r.value.next);
    const next = { ...r.value.next, stepIndex: 1, version: 2 };
    expect(projects.update(next, r.value.next)).toBe(true);
    expect(projects.update({ ...next, stepIndex: 2, version: 3 }, r.value.next)).toBe(false);
    expect(projects.get('HO-2026-0001')?.stepIndex).toBe(1);
  });

  it('the audit log refuses updates and deletes', () => {
    const { db, audit } = setup();
    audit.append({
      regNo: 'R',
      round: 1,
      stepIndex: 0,
      role: 'sales',
      action: 'register',
      task: null,
      by: 'u',
      at,
      reason: null,
      actorName: 'U',
      platform: 'local',
    });
    expect(() => db.update(auditLog).set({ reason: 'rewritten' }).run()).toThrow(/append-only/);
    expect(() => db.delete(auditLog).run()).toThrow(/append-only/);
    expect(db.select().from(auditLog).all()).toHaveLength(1);
  });

  it('claims an inbound event id once per platform', () => {
    const { db } = setup();
    const log = new SqliteInboundLog(db);
    expect([log.claim('feishu', 'e1', at), log.claim('feishu', 'e1', at), log.claim('local', 'e1', at)]).toEqual([
      true,
      false,
      true,
    ]);
  });
});
