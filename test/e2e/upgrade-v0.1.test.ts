import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cardText, createTestHandoff, LocalChat } from '../helpers/handoff';

/** test/fixtures/handoff-v0.1.db was written by v0.1 (the hard-coded lifecycle, before the process became data). */
const FIXTURE = fileURLToPath(new URL('../fixtures/handoff-v0.1.db', import.meta.url));

describe('a database written by v0.1 opens and every project continues where it was', () => {
  let h: ReturnType<typeof createTestHandoff>;
  afterEach(() => h?.stop());

  function open() {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-upgrade-')), 'h.db');
    copyFileSync(FIXTURE, databasePath);
    h = createTestHandoff({ databasePath });
    return new LocalChat(h);
  }

  it('a pickup under review goes on through the old process (PM → commercial → product issue)', async () => {
    const chat = open();
    await chat.say('zhou.pm', '/status HO-2026-0007');
    expect(cardText(chat.lastCard('zhou.pm'))).toContain('产品领取单审核（区域项目经理）');
    await chat.say('zhou.pm', '/approve HO-2026-0007');
    expect(chat.lastText('zhou.pm')).toContain('已通过');
    await chat.say('zhao.biz', '/approve HO-2026-0007');
    await chat.say('feng.prod', '/submit HO-2026-0007 standard=https://dl/s licence=https://dl/l');
    expect(chat.lastText('feng.prod')).toContain('已提交');
    await chat.say('zheng.impl', '/docs HO-2026-0007');
    expect(chat.lastCard('zheng.impl').blocks[0]).toMatchObject({ title: '验收资料 1/7' });
  });

  it('a project with its documents in hands over on v0.1 rules; new projects start on the standard process', async () => {
    const chat = open();
    for (const d of [4, 5, 6, 7]) await chat.say('zheng.impl', `/doc HO-2026-0008 ${d} https://docs/${d}`);
    expect(chat.texts('zheng.impl').some((t) => t.includes('验收资料已齐全'))).toBe(true);
    await chat.say('zheng.impl', '/handover HO-2026-0008 operated=no');
    await chat.say('lv.ops', '/approve HO-2026-0008');
    expect(h.local?.conversation('handover_news')).toHaveLength(1);
    await chat.say('wang.sales', '/status HO-2026-0011');
    expect(cardText(chat.lastCard('wang.sales'))).toContain('已完成移交');
    await chat.say(
      'wang.sales',
      '/register name=新项目 customer=客户 kind=project region=north contract=HT-9 signed=yes paid=yes req=https://d/r form=https://d/f',
    );
    const reg = /HO-\d{4}-\d{4}/.exec(chat.lastText('wang.sales'))?.[0];
    expect(reg).toBeDefined();
    // The commercial review's checklist is its form: one tick per item.
    expect(chat.lastCard('zhao.biz').forms[0]?.fields.filter((f) => f.name.startsWith('check_'))).toHaveLength(4);
  });
});
