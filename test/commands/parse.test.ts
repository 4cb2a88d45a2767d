import { describe, expect, it } from 'vitest';
import { parseCardAction } from '../../src/commands/parse-card-action';
import { parseSlash, tokenize } from '../../src/commands/parse-slash';

const base =
  'name="智慧 园区" customer=客户甲 kind=project region=north contract=HT-1 signed=no paid=yes req=https://d/req form=https://d/form';

function ok(text: string) {
  const r = parseSlash(text);
  if (!r?.ok) throw new Error(r ? r.error : 'not a command');
  return r.intent;
}
function error(text: string): string {
  const r = parseSlash(text);
  if (r === null || r.ok) throw new Error('expected an error');
  return r.error;
}

describe('parseSlash', () => {
  it('parses /register with quoted values and yes/no', () => {
    expect(ok(`/register ${base}`)).toEqual({
      type: 'register',
      fields: {
        name: '智慧 园区',
        customer: '客户甲',
        kind: 'project',
        region: 'north',
        contract: 'HT-1',
        signed: false,
        paid: true,
        req: 'https://d/req',
        form: 'https://d/form',
      },
    });
  });

  it('accepts the Chinese alias, Chinese keys and full-width quotes', () => {
    const intent = ok(
      '/立项 名称=“智慧 园区” 客户=甲 类型=saas 区域=南方 合同=HT-2 签约=是 首付款=否 需求表=https://d/r 登记表=https://d/f',
    );
    expect(intent).toMatchObject({
      type: 'register',
      fields: { name: '智慧 园区', kind: 'saas', region: '南方', signed: true, paid: false },
    });
  });

  it('/register with no arguments asks for the form', () => {
    expect(ok('/register')).toEqual({ type: 'registerForm' });
  });

  it.each([
    [`/register ${base.replace('kind=project', 'kind=onprem')}`, '「项目类型」应为 项目类 或 SaaS 类'],
    [`/register ${base.replace('signed=no', 'signed=maybe')}`, '「合同已签」应为 是 或 否'],
    [
      `/register ${base.replace('req=https://d/req', 'req=not-a-link')}`,
      '「用户需求采集表」应为以 http:// 或 https:// 开头的文档链接',
    ],
    [
      `/register ${base.replace('form=https://d/form', 'form=javascript://%0aalert(1)')}`,
      '「项目实施登记表」应为以 http:// 或 https:// 开头的文档链接',
    ],
    [`/register ${base.replace('form=https://d/form', 'form=data://text/html,x')}`, '「项目实施登记表」应为以 http://'],
    [`/register ${base.replace(' customer=客户甲', '')}`, '缺少「客户」'],
    [`/register ${base} colour=red`, '未知字段：colour'],
    [`/register ${base} name=again`, 'name= 写了两次'],
    ['/register name="unclosed', '引号未闭合'],
    ['/register justaword', '参数应写成 字段=值'],
    ['/status', '缺少登记号'],
    ['/status HO-2026-0001 extra', '参数过多'],
    ['/status 12345', '登记号格式应为 HO-2026-0001'],
    ['/reject HO-2026-0001', '驳回必须填写原因'],
    ['/frobnicate', '未知命令 /frobnicate'],
  ])('%s → says what is wrong', (text, message) => {
    const e = error(text);
    expect(e).toContain(message);
  });

  it('every malformed command shows its usage', () => {
    expect(error('/status')).toContain('用法：/status <登记号>');
    expect(error(`/register ${base.replace('kind=project', 'kind=x')}`)).toContain('用法：/register name=');
  });

  it('parses the other commands and normalises registration numbers', () => {
    expect(ok('/status ho-2026-0001')).toEqual({ type: 'status', regNo: 'HO-2026-0001' });
    expect(ok('/待办')).toEqual({ type: 'mine' });
    expect(ok('/撤回 HO-2026-0001')).toEqual({ type: 'withdraw', regNo: 'HO-2026-0001' });
    expect(ok('/approve HO-2026-0001 没问题 通过')).toEqual({
      type: 'approve',
      regNo: 'HO-2026-0001',
      comment: '没问题 通过',
    });
    expect(ok('/驳回 HO-2026-0001 合同 金额不符')).toEqual({
      type: 'reject',
      regNo: 'HO-2026-0001',
      reason: '合同 金额不符',
    });
    expect(ok('/resubmit HO-2026-0001 paid=yes')).toEqual({
      type: 'resubmit',
      regNo: 'HO-2026-0001',
      changes: { paid: true },
    });
    expect(ok('／help')).toEqual({ type: 'help' });
  });

  it('parses the operations around a step, with their Chinese aliases', () => {
    expect(ok('/评论 ho-2026-0001 请 看 一下')).toEqual({ type: 'comment', regNo: 'HO-2026-0001', text: '请 看 一下' });
    expect(ok('/抄送 HO-2026-0001 冯产品')).toEqual({ type: 'cc', regNo: 'HO-2026-0001', person: '冯产品' });
    expect(ok('/催促 HO-2026-0001')).toEqual({ type: 'urge', regNo: 'HO-2026-0001' });
    expect(ok('/批量同意')).toEqual({ type: 'approveAll' });
    expect(ok('/approve-all')).toEqual({ type: 'approveAll' });
    expect(ok('/who HO-2026-0001')).toEqual({ type: 'who', regNo: 'HO-2026-0001' });
    expect(ok('/谁审批 kind=saas region=north')).toEqual({ type: 'who', sample: { kind: 'saas', region: 'north' } });
    expect(error('/comment HO-2026-0001')).toContain('缺少评论内容');
    expect(error('/cc HO-2026-0001 a b')).toContain('一次抄送一人');
    expect(error('/who')).toContain('缺少登记号或项目条件');
    expect(error(`/comment HO-2026-0001 ${'长'.repeat(1001)}`)).toContain('评论最多 1000 个字符');
    const click = parseCardAction({ v: 1, type: 'comment', regNo: 'HO-2026-0001' }, { comment_text: '好' });
    expect(click).toEqual({ ok: true, intent: { type: 'comment', regNo: 'HO-2026-0001', text: '好' } });
    const empty = parseCardAction({ v: 1, type: 'cc', regNo: 'HO-2026-0001' }, {});
    expect(empty).toEqual({ ok: false, error: '「抄送人」请写明抄送给谁' });
  });

  it('plain text is not a command', () => {
    expect(parseSlash('你好')).toBeNull();
  });

  it('tokenizes quotes inside key=value', () => {
    expect(tokenize('a="b c" d')).toEqual(['a=b c', 'd']);
    expect(tokenize('x=""')).toEqual(['x=']);
  });
});

describe('parseCardAction: a click yields the same intent as the typed command', () => {
  it.each([
    [{ v: 1, type: 'approve', regNo: 'HO-2026-0001' }, undefined, '/approve HO-2026-0001'],
    [{ v: 1, type: 'reject', regNo: 'HO-2026-0001' }, { reason: '金额不符' }, '/reject HO-2026-0001 金额不符'],
    [{ v: 1, type: 'resubmit', regNo: 'HO-2026-0001' }, undefined, '/resubmit HO-2026-0001'],
    [{ v: 1, type: 'withdraw', regNo: 'HO-2026-0001' }, undefined, '/withdraw HO-2026-0001'],
    [{ v: 1, type: 'status', regNo: 'HO-2026-0001' }, undefined, '/status HO-2026-0001'],
  ])('%j', (value, form, typed) => {
    const clicked = parseCardAction(value, form);
    const r = parseSlash(typed);
    expect(clicked).toEqual(r);
  });

  it('a submitted registration form yields the same intent as /register', () => {
    const form = {
      name: '智慧 园区',
      customer: '客户甲',
      kind: 'project',
      region: 'north',
      contract: 'HT-1',
      signed: 'no',
      paid: 'yes',
      req: 'https://d/req',
      solution: '',
      form: 'https://d/form',
    };
    expect(parseCardAction({ v: 1, type: 'register' }, form)).toEqual(parseSlash(`/register ${base}`));
  });

  it('a reject click without a reason is refused with a clear message', () => {
    const r = parseCardAction({ v: 1, type: 'reject', regNo: 'HO-2026-0001', round: 1, step: 0 }, { reason: ' ' });
    expect(r).toEqual({ ok: false, error: expect.stringContaining('驳回必须填写原因') });
  });

  it.each([[null], ['approve'], [{ type: 'approve' }], [{ v: 2, type: 'approve' }], [{ v: 1, type: 'drop_tables' }]])(
    'refuses a forged or foreign value %j',
    (value) => {
      expect(parseCardAction(value).ok).toBe(false);
    },
  );

  it('refuses form values that are objects or nested lists by name, and a value nested too deep, never String()-ing them', () => {
    const value = { v: 1, type: 'reject', regNo: 'HO-2026-0001', round: 1, step: 0 };
    for (const reason of [{ toString: 1 }, [[['x']]], { valueOf: () => 'x' }]) {
      expect(parseCardAction(value, { reason })).toEqual({
        ok: false,
        error: '表单字段「reason」的值无法识别，请重新填写后提交。',
      });
    }
    let deep: unknown = 'x';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(parseCardAction({ ...value, extra: deep }).ok).toBe(false);
    expect(parseCardAction(value, { reason: ['金额不符'] }).ok).toBe(true);
  });

  it('a button value must be one of the button types: an intent no card carries is refused from a card', () => {
    // /submit is a typed command only; as a card value it is refused even though IntentSchema knows it.
    const typed = { type: 'submit', regNo: 'HO-2026-0001', fields: { link: 'https://x.example/1' } };
    expect(parseCardAction({ v: 1, ...typed }).ok).toBe(false);
    expect(parseCardAction({ v: 1, type: 'status', regNo: 'HO-2026-0001' }).ok).toBe(true);
  });
});
