import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redactText } from '../../src/shared/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  return { logger, lines, raw: () => JSON.stringify(lines) };
}

describe('logger', () => {
  it('writes one JSON object per line with level, message and fields', () => {
    const { logger, lines } = capture();
    logger.child({ platform: 'feishu' }).info('delivered', { outboxId: 7 });
    expect(lines).toEqual([
      { t: expect.any(String), level: 'info', msg: 'delivered', platform: 'feishu', outboxId: 7 },
    ]);
  });

  it('redacts secret-named fields at any depth, including in child bindings', () => {
    const { logger, lines, raw } = capture();
    logger.child({ appSecret: 'child-secret-1' }).warn('token refresh', {
      tenant_access_token: 't-abc123',
      config: { headers: { Authorization: 'Bearer xyz789' }, data: { app_secret: 'deep-secret-2' } },
      aesKey: 'A'.repeat(43),
      encrypt_key: 'ek-3',
      list: [{ clientSecret: 'cs-4' }],
      outboxId: 12,
    });
    for (const s of ['child-secret-1', 't-abc123', 'xyz789', 'deep-secret-2', 'A'.repeat(43), 'ek-3', 'cs-4']) {
      expect(raw()).not.toContain(s);
    }
    expect(lines[0]?.tenant_access_token).toBe(REDACTED);
    expect(lines[0]?.appSecret).toBe(REDACTED);
    expect(lines[0]?.outboxId).toBe(12);
  });

  it('scrubs secrets inside strings: query parameters, bearer tokens, error messages and stacks', () => {
    const { logger, raw } = capture();
    const err = new Error('GET https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=SEKRET failed');
    logger.error('call failed: url https://x/cgi-bin/webhook/send?key=ROBOTKEY', {
      error: err,
      detail: 'Authorization: Bearer eyJhbGciOi.payload.sig',
      url: 'https://qyapi.weixin.qq.com/cgi-bin/message/send?access_token=ACCESS123&debug=1',
    });
    for (const s of ['SEKRET', 'ROBOTKEY', 'eyJhbGciOi', 'ACCESS123']) expect(raw()).not.toContain(s);
    expect(raw()).toContain('corpid=ww1');
    expect(raw()).toContain('debug=1');
  });

  it('leaves ordinary text alone', () => {
    expect(redactText('HO-2026-0001 approved by li.lead')).toBe('HO-2026-0001 approved by li.lead');
  });

  it('drops lines below the level', () => {
    const lines: string[] = [];
    createLogger('warn', {}, (l) => lines.push(l)).info('quiet');
    expect(lines).toEqual([]);
  });
});
