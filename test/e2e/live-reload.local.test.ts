/**
 * Live reload of ORG_FILE and PROCESS_FILE, in-process with real files in a temporary folder, driven through the
 * local simulator: a valid org takes effect at once (new holders of waiting steps get their cards), an invalid one is
 * refused with the key path in the log and the old one stays; a changed process file is a new version for new
 * projects only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bootstrap, type Handoff } from '../../src/bootstrap';
import { membersOf } from '../../src/domain/org';
import { createLogger } from '../../src/shared/logger';
import { FakeClock } from '../helpers/fake-clock';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  cardText,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
  SETUP_FORM,
  testConfig,
  virtualDelivery,
} from '../helpers/handoff';

const ROOT = resolve(import.meta.dirname, '../..');
const ORG_TEXT = readFileSync(join(ROOT, 'org.example.yaml'), 'utf8');
const PROCESS_TEXT = readFileSync(join(ROOT, 'processes/standard.yaml'), 'utf8');
const WITH_SECOND_LEAD = ORG_TEXT.replace(
  '  - { id: li.lead, name: 李主管 }\n',
  '  - { id: li.lead, name: 李主管 }\n  - { id: niu.lead, name: 牛主管 }\n',
).replace('  sales_lead: [li.lead]', '  sales_lead: [li.lead, niu.lead]');

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function setup(opts: { watch?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-reload-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const orgFile = join(dir, 'org.yaml');
  const processFile = join(dir, 'process.yaml');
  writeFileSync(orgFile, ORG_TEXT);
  writeFileSync(processFile, PROCESS_TEXT);
  const lines: { level: string; msg: string; [k: string]: unknown }[] = [];
  const h: Handoff = bootstrap(testConfig({ orgFile, processFile, localUi: true }), {
    clock: new FakeClock(),
    logger: createLogger('info', {}, (l) => lines.push(JSON.parse(l))),
    scheduler: false,
    delivery: virtualDelivery(),
    watch: opts.watch ?? false,
  });
  cleanup.push(() => h.stop());
  return { h, chat: new LocalChat(h), orgFile, processFile, lines };
}

describe('live reload', () => {
  it('a valid org file takes effect at once: a new holder of a waiting step gets its card and can act', async () => {
    const { h, chat, orgFile } = setup();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.cards('li.lead')).toHaveLength(1);
    expect(chat.cards('niu.lead')).toHaveLength(0);

    writeFileSync(orgFile, WITH_SECOND_LEAD);
    const result = h.reload('test');
    await h.flush();

    expect(result).toMatchObject({ org: 'reloaded', process: 'unchanged', problems: [], cards: 1 });
    expect(membersOf(h.deps.org.view(), 'sales_lead', null)).toEqual(['li.lead', 'niu.lead']);
    expect(cardText(chat.lastCard('niu.lead'))).toContain('请处理');
    expect(chat.cards('li.lead')).toHaveLength(1); // the one who held it already gets nothing new
    await chat.click('niu.lead', '同意');
    expect(chat.cards('yang.huiyu').length).toBeGreaterThan(0);
    // Reloading the same file again changes nothing and sends nothing.
    expect(h.reload('again')).toMatchObject({ org: 'unchanged', cards: 0 });
  });

  it('a new member of a role holding an open delivery task gets the task card', async () => {
    const { h, chat, orgFile } = setup();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes cloud=yes'));
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('sun.director', '立项并指派', SETUP_FORM);
    expect(cardText(chat.lastCard('liu.platform'))).toContain('公司云服务器部署');

    writeFileSync(
      orgFile,
      ORG_TEXT.replace('  - { id: liu.platform,', '  - { id: niu.ops, name: 牛工 }\n  - { id: liu.platform,').replace(
        '  platform_ops: [liu.platform]',
        '  platform_ops: [liu.platform, niu.ops]',
      ),
    );
    expect(h.reload()).toMatchObject({ org: 'reloaded', cards: 1 });
    await h.flush();

    expect(cardText(chat.lastCard('niu.ops'))).toContain('请处理：公司云服务器部署');
  });

  it('a person removed from the file no longer holds the step: the remaining holder acts', async () => {
    const { h, chat, orgFile } = setup();
    writeFileSync(orgFile, WITH_SECOND_LEAD);
    h.reload();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    writeFileSync(orgFile, ORG_TEXT);
    expect(h.reload()).toMatchObject({ org: 'reloaded', cards: 0 });
    await chat.click('niu.lead', '同意');
    expect(chat.cards('yang.huiyu')).toHaveLength(0);
    await chat.click('li.lead', '同意');
    expect(chat.cards('yang.huiyu')).toHaveLength(1);
  });

  it('an invalid org file is refused with the key path in the log, and the old one stays', async () => {
    const { h, orgFile, lines } = setup();
    writeFileSync(orgFile, ORG_TEXT.replace('  sales_lead: [li.lead]', '  sales_lead: [li.lead, ghost]'));

    const result = h.reload('test');

    expect(result.org).toBe('refused');
    expect(result.problems.join('\n')).toContain('roles.sales_lead.1: unknown user id "ghost"');
    const logged = lines.find((l) => l.msg.startsWith('config file refused'));
    expect(logged?.level).toBe('error');
    expect(String(logged?.problems)).toContain('roles.sales_lead.1: unknown user id "ghost"');
    expect(membersOf(h.deps.org.view(), 'sales_lead', null)).toEqual(['li.lead']);
    expect(h.org.current().roles.sales_lead).toEqual(['li.lead']);
  });

  it('an org that leaves a role of the process without members is refused', () => {
    const { h, orgFile } = setup();
    writeFileSync(orgFile, ORG_TEXT.replace('  platform_ops: [liu.platform]\n', ''));
    const result = h.reload();
    expect(result.org).toBe('refused');
    expect(result.problems.join('\n')).toContain('roles.platform_ops');
    expect(membersOf(h.deps.org.view(), 'platform_ops', null)).toEqual(['liu.platform']);
  });

  it('a changed process file is a new version for new projects; projects in flight keep theirs', async () => {
    const { h, chat, processFile } = setup();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const first = h.deps.projects.get('HO-2026-0001')?.delivery.processVersion;

    writeFileSync(
      processFile,
      PROCESS_TEXT.replace('label: 项目实施标准流程 2026.12', 'label: 项目实施标准流程 2027.01'),
    );
    const result = h.reload();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);

    expect(result).toMatchObject({ process: 'reloaded', org: 'unchanged' });
    expect(result.processVersion).not.toBe(first);
    expect(h.deps.projects.get('HO-2026-0001')?.delivery.processVersion).toBe(first);
    expect(h.deps.projects.get('HO-2026-0002')?.delivery.processVersion).toBe(result.processVersion);
    expect(h.deps.processes.current().def.label).toBe('项目实施标准流程 2027.01');
    // Back to the first file: its version by hash, not a third one.
    writeFileSync(processFile, PROCESS_TEXT);
    expect(h.reload().processVersion).toBe(first);
  });

  it('an invalid process file is refused with its key path; the version for new projects stays', () => {
    const { h, processFile } = setup();
    const before = h.deps.processes.current().version;
    writeFileSync(processFile, PROCESS_TEXT.replace('holder: { role: test_group }', 'holder: { role: qa_team }'));
    const result = h.reload();
    expect(result.process).toBe('refused');
    expect(result.problems.join('\n')).toContain('subflows.0.steps.0.holder.role: unknown role "qa_team"');
    expect(h.deps.processes.current().version).toBe(before);
  });

  it('a saved file is picked up by the watcher after listen()', async () => {
    const { h, orgFile, lines } = setup({ watch: true });
    await h.listen();
    writeFileSync(orgFile, WITH_SECOND_LEAD);
    await vi.waitFor(() => expect(lines.some((l) => l.msg === 'org file reloaded')).toBe(true), {
      timeout: 5000,
      interval: 50,
    });
    expect(membersOf(h.deps.org.view(), 'sales_lead', null)).toEqual(['li.lead', 'niu.lead']);
  });
});
