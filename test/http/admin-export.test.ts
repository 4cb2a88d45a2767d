import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { csvCell, csvStream, defuse, xlsxStream } from '../../src/http/admin/export';
import { CookieSigner, liveSession, newSession } from '../../src/http/admin/session';

const HOSTILE = ['=HYPERLINK("http://evil","x")', '+1+1', '-2', '@SUM(A1)', 'a, "b"\nc', '正常文字'];
const rows = () =>
  HOSTILE.map((name, i) => ({
    reg_no: `HO-2026-00000${i}`,
    name,
    customer: '客户',
    kind: 'project',
    region: 'north',
    contract_no: 'C-1',
    signed: 1,
    paid: 0,
    state: 'accepted',
    round: 1,
    submitter_id: 'wang.sales',
    pm_id: null,
    step_role: null,
    step_region: null,
    created_at: Date.UTC(2026, 2, 2, 2, 0),
    updated_at: Date.UTC(2026, 2, 2, 2, 0),
    closed_at: null,
  }));

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('exports', () => {
  it('defuses formula cells and quotes per RFC 4180', () => {
    expect(defuse('=1+1')).toBe("'=1+1");
    expect(defuse('-5')).toBe("'-5");
    expect(defuse('正常')).toBe('正常');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('plain')).toBe('plain');
  });

  it('CSV: BOM, Chinese headers, hostile cells come back as text', async () => {
    const buf = await collect(csvStream('projects', rows(), 'Asia/Shanghai'));
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const ws = await new ExcelJS.Workbook().csv.read(Readable.from(buf.subarray(3).toString('utf8')));
    expect(ws.getRow(1).values).toContain('登记号');
    const names = HOSTILE.map((_, i) => ws.getRow(i + 2).getCell(2).value);
    expect(names).toEqual([`'${HOSTILE[0]}`, "'+1+1", "'-2", "'@SUM(A1)", 'a, "b"\nc', '正常文字']);
    expect(ws.getRow(2).getCell(7).value).toBe('是');
    expect(ws.getRow(2).getCell(9).value).toBe('实施中');
    expect(ws.getRow(2).getCell(15).value).toBe('2026-03-02 10:00');
  });

  it('XLSX: one sheet with Chinese headers, hostile cells stored as plain strings', async () => {
    const buf = await collect(xlsxStream('projects', rows(), 'Asia/Shanghai'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('项目');
    expect(ws?.getRow(1).getCell(1).value).toBe('登记号');
    expect(ws?.getRow(2).getCell(2).value).toBe(`'${HOSTILE[0]}`);
    expect(ws?.getRow(2).getCell(2).type).toBe(ExcelJS.ValueType.String);
    expect(ws?.actualRowCount).toBe(HOSTILE.length + 1);
  });
});

describe('session cookies', () => {
  it('verify only what was signed with the same key, and expire', () => {
    const a = new CookieSigner('k'.repeat(32));
    const s = newSession('qin.admin', '秦', 'feishu', 1000);
    const v = a.sign(s);
    expect(a.verify(v)).toEqual(s);
    expect(new CookieSigner('x'.repeat(32)).verify(v)).toBeNull();
    expect(a.verify(`${v}x`)).toBeNull();
    expect(a.verify('garbage')).toBeNull();
    expect(liveSession(s, 1001)).toEqual(s);
    expect(liveSession(s, s.exp)).toBeNull();
  });
});
