import { describe, expect, it } from 'vitest';
import { parseCardAction } from '../../src/commands/parse-card-action';
import { parseSlash } from '../../src/commands/parse-slash';

const parse = (text: string) => {
  const r = parseSlash(text);
  if (r === null) throw new Error('not a command');
  return r;
};

describe('the approval operation commands', () => {
  it.each([
    ['/transfer HO-2026-0001 赵商务 本周出差', 'transfer', ['赵商务', '本周出差']],
    ['/转交 ho-2026-0001 3 zhao.biz', 'transfer', ['3', 'zhao.biz']],
    ['/reassign HO-2026-0001 7 吴经理', 'reassign', ['7', '吴经理']],
    ['/改派 HO-2026-0001 7 吴经理', 'reassign', ['7', '吴经理']],
    ['/addsign HO-2026-0001 陈售前 before', 'addsign', ['陈售前', 'before']],
    ['/加签 HO-2026-0001 陈售前 会签', 'addsign', ['陈售前', '会签']],
    ['/unsign HO-2026-0001 陈售前', 'unsign', ['陈售前']],
    ['/撤销加签 HO-2026-0001 陈售前', 'unsign', ['陈售前']],
    ['/sendback HO-2026-0001 1 合同 附件不全', 'sendback', ['1', '合同', '附件不全']],
    ['/退回 HO-2026-0001 确认需求 再确认', 'sendback', ['确认需求', '再确认']],
    ['/revoke HO-2026-0001', 'revoke', []],
    ['/撤销 HO-2026-0001 12', 'revoke', ['12']],
  ])('%s', (text, op, args) => {
    expect(parse(text)).toEqual({ ok: true, intent: { type: 'op', op, regNo: 'HO-2026-0001', args } });
  });

  it.each([
    ['/transfer HO-2026-0001', '缺少转交对象'],
    ['/addsign HO-2026-0001 陈售前', '需要加签人员和方式'],
    ['/sendback HO-2026-0001 1', '需要退回到的步骤和原因'],
    ['/revoke HO-2026-0001 1 2', '参数过多'],
    ['/transfer', '缺少登记号'],
  ])('refuses %s with what is missing and the usage', (text, problem) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(problem);
      expect(r.error).toContain('用法：/');
    }
  });

  it('/delegate passes its words on; /代理 is the same', () => {
    expect(parse('/delegate 李主管 2026-12-01 2026-12-07')).toEqual({
      ok: true,
      intent: { type: 'delegate', args: ['李主管', '2026-12-01', '2026-12-07'] },
    });
    expect(parse('/代理 off')).toEqual({ ok: true, intent: { type: 'delegate', args: ['off'] } });
  });

  it('card forms become the same words; a missing required input is refused', () => {
    const transfer = { v: 1, type: 'op', op: 'transfer', regNo: 'HO-2026-0001', task: 4 };
    expect(parseCardAction(transfer, { person: '赵商务', note: '' })).toEqual({
      ok: true,
      intent: { type: 'op', op: 'transfer', regNo: 'HO-2026-0001', task: 4, args: ['赵商务'] },
    });
    const back = { v: 1, type: 'op', op: 'sendback', regNo: 'HO-2026-0001' };
    expect(parseCardAction(back, { step: '1', reason: '附件不全' })).toMatchObject({
      ok: true,
      intent: { args: ['1', '附件不全'] },
    });
    expect(parseCardAction(back, { step: '', reason: '附件不全' })).toMatchObject({ ok: false });
    const unsign = { v: 1, type: 'op', op: 'unsign', regNo: 'HO-2026-0001', signer: 'chen.presales' };
    expect(parseCardAction(unsign)).toMatchObject({ ok: true, intent: { args: ['chen.presales'] } });
    expect(parseCardAction({ v: 1, type: 'op', op: 'explode', regNo: 'HO-2026-0001' })).toMatchObject({ ok: false });
  });
});
