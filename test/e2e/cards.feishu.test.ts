import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feishuCardText, startFeishuHandoff } from '../helpers/feishu-chat';
import { COMMERCIAL_FORM, COMMERCIAL_OK, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every node of a Feishu card JSON, depth first, in order. */
function nodes(card: unknown): Json[] {
  const out: Json[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!isObj(n)) return;
    out.push(n);
    Object.values(n).forEach(walk);
  };
  walk(card);
  return out;
}

const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');

describe('Feishu cards over real HTTP (issue 11)', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>>;
  beforeEach(async () => {
    env = await startFeishuHandoff();
  });
  afterEach(() => env.stop());

  it('a refused form is answered inline with the card re-rendered: every typed value kept, the error under its field', async () => {
    const { chat } = env;
    await chat.say('wang.sales', SIGNED_PAID);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    const body = await chat.click('sun.director', '立项并指派', { feasibility: '方案可行', pm: 'zhou.pm' });
    expect(body.toast).toMatchObject({
      type: 'error',
      content: expect.stringContaining('缺少「合同要求与实施落地风险」'),
    });
    const card = isObj(body.card) ? body.card.data : undefined;
    const all = nodes(card);
    const form = all.find((n) => n.tag === 'form' && n.name === 'approve_form');
    const inForm = nodes(form?.elements);
    expect(inForm.find((n) => n.tag === 'input' && String(n.name).startsWith('feasibility'))?.default_value).toBe(
      '方案可行',
    );
    expect(inForm.find((n) => n.tag === 'select_static' && String(n.name).startsWith('pm'))?.initial_option).toBe(
      'zhou.pm',
    );
    // The error sits right under the field it is about.
    const elements = (form?.elements ?? []) as Json[];
    const risk = elements.findIndex((n) => n.tag === 'input' && String(n.name).startsWith('risk'));
    expect(risk).toBeGreaterThanOrEqual(0);
    expect(String(elements[risk + 1]?.content)).toContain('缺少「合同要求与实施落地风险」');
    expect(elements.filter((n) => n.tag === 'markdown' && String(n.content).includes("color='red'"))).toHaveLength(1);
  });

  it('the approval card: ask line first, history in a folded panel, 驳回 asks for confirmation', async () => {
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const card = chat.lastCard('li.lead');
    const body = (isObj(card) && isObj(card.body) ? card.body.elements : []) as Json[];
    expect(String(body[0]?.content)).toContain('请处理：销售主管审批');
    const panel = nodes(card).find((n) => n.tag === 'collapsible_panel');
    expect(panel).toMatchObject({ expanded: false });
    expect(feishuCardText(panel)).toContain('提交登记');
    const reject = nodes(card).find((n) => n.tag === 'button' && isObj(n.text) && n.text.content === '驳回');
    expect(reject?.confirm).toMatchObject({ title: { content: '确认驳回？' } });
    const sales = nodes(chat.lastCard('wang.sales')).find(
      (n) => n.tag === 'button' && isObj(n.text) && n.text.content === '撤回',
    );
    expect(sales?.confirm).toMatchObject({ title: { content: '确认撤回？' } });
  });
});
