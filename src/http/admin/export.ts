import { PassThrough, Readable } from 'node:stream';
import { STATE_LABELS } from '../../../cards/labels';
import type { ExportTable } from '../../app/console-ports';
import type { ProjectState } from '../../domain/project';
import { formatTime } from '../../shared/time';

/**
 * Exports of the console: CSV (UTF-8 with a BOM, so Excel opens Chinese text right; RFC 4180 quoting) and XLSX
 * (exceljs' streaming writer). Both are streamed row by row from a SQLite iterator: 100k rows never sit in memory.
 * Cells that a spreadsheet would take for a formula (starting with = + - @, tab or CR) get a leading apostrophe.
 */
type Format = 'text' | 'time' | 'bool' | 'state' | 'number';
interface Column {
  key: string;
  header: string;
  format?: Format;
}

const TASK_STATES: Record<string, string> = {
  open: '进行中',
  done: '已完成',
  rejected: '已退回',
  skipped: '已跳过',
  cancelled: '已取消',
  superseded: '已被替代',
};

export const EXPORTS: Record<ExportTable, { title: string; columns: Column[] }> = {
  projects: {
    title: '项目',
    columns: [
      { key: 'reg_no', header: '登记号' },
      { key: 'name', header: '项目名称' },
      { key: 'customer', header: '客户' },
      { key: 'kind', header: '类型' },
      { key: 'region', header: '区域' },
      { key: 'contract_no', header: '合同编号' },
      { key: 'signed', header: '合同已签', format: 'bool' },
      { key: 'paid', header: '首付款已到', format: 'bool' },
      { key: 'state', header: '状态', format: 'state' },
      { key: 'round', header: '轮次', format: 'number' },
      { key: 'submitter_id', header: '登记人' },
      { key: 'pm_id', header: '项目经理' },
      { key: 'step_role', header: '当前审批角色' },
      { key: 'step_region', header: '当前审批区域' },
      { key: 'created_at', header: '登记时间', format: 'time' },
      { key: 'updated_at', header: '更新时间', format: 'time' },
      { key: 'closed_at', header: '完成时间', format: 'time' },
    ],
  },
  tasks: {
    title: '任务',
    columns: [
      { key: 'reg_no', header: '登记号' },
      { key: 'task_no', header: '任务编号', format: 'number' },
      { key: 'def_id', header: '任务' },
      { key: 'subflow_no', header: '子流程编号', format: 'number' },
      { key: 'role', header: '角色' },
      { key: 'region', header: '区域' },
      { key: 'state', header: '状态' },
      { key: 'holders', header: '处理人' },
      { key: 'opened_at', header: '开始时间', format: 'time' },
      { key: 'closed_at', header: '结束时间', format: 'time' },
      { key: 'closed_by', header: '完成人' },
      { key: 'note', header: '备注' },
    ],
  },
  documents: {
    title: '验收资料',
    columns: [
      { key: 'reg_no', header: '登记号' },
      { key: 'doc_no', header: '资料编号', format: 'number' },
      { key: 'owner_id', header: '负责人' },
      { key: 'due_at', header: '截止时间', format: 'time' },
      { key: 'link', header: '链接' },
      { key: 'submitted_at', header: '提交时间', format: 'time' },
      { key: 'submitted_by', header: '提交人' },
    ],
  },
  audit: {
    title: '审计日志',
    columns: [
      { key: 'id', header: '序号', format: 'number' },
      { key: 'reg_no', header: '登记号' },
      { key: 'round', header: '轮次', format: 'number' },
      { key: 'step_index', header: '步骤', format: 'number' },
      { key: 'role', header: '角色' },
      { key: 'action', header: '操作' },
      { key: 'actor_id', header: '操作人' },
      { key: 'actor_name', header: '操作人姓名' },
      { key: 'reason', header: '原因' },
      { key: 'platform', header: '平台' },
      { key: 'at', header: '时间', format: 'time' },
    ],
  },
};

export const isExportTable = (t: string): t is ExportTable => Object.hasOwn(EXPORTS, t);

/** A cell a spreadsheet must show as text, never run: leading = + - @ (and tab/CR) get an apostrophe. */
export function defuse(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** RFC 4180: quote when the cell holds a comma, quote, CR or LF; double the quotes. */
export function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function cellValue(v: unknown, format: Format | undefined, timeZone: string): string | number {
  if (v === null || v === undefined) return '';
  switch (format) {
    case 'time':
      return typeof v === 'number' ? formatTime(new Date(v), timeZone) : String(v);
    case 'bool':
      return v ? '是' : '否';
    case 'number':
      return typeof v === 'number' ? v : Number(v);
    case 'state':
      return STATE_LABELS[v as ProjectState] ?? String(v);
    default:
      return defuse(String(v));
  }
}

function values(row: Record<string, unknown>, table: ExportTable, timeZone: string): (string | number)[] {
  return EXPORTS[table].columns.map((c) => {
    if (table === 'tasks' && c.key === 'state') return TASK_STATES[String(row.state)] ?? String(row.state);
    return cellValue(row[c.key], c.format, timeZone);
  });
}

const CHUNK = 64 * 1024;

/** The CSV as a stream of chunks (BOM first, CRLF line ends). */
export function csvStream(table: ExportTable, rows: Iterable<Record<string, unknown>>, timeZone: string): Readable {
  const line = (cells: (string | number)[]) => `${cells.map((c) => csvCell(String(c))).join(',')}\r\n`;
  function* chunks(): Generator<string> {
    let buf = `\uFEFF${line(EXPORTS[table].columns.map((c) => c.header))}`;
    for (const row of rows) {
      buf += line(values(row, table, timeZone));
      if (buf.length >= CHUNK) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** The XLSX written by exceljs' streaming writer into a PassThrough, waiting for the reader when it falls behind. */
export function xlsxStream(table: ExportTable, rows: Iterable<Record<string, unknown>>, timeZone: string): Readable {
  const out = new PassThrough();
  const spec = EXPORTS[table];
  void (async () => {
    try {
      // Loaded on the first export: exceljs is large and start-up time matters more.
      const { default: ExcelJS } = await import('exceljs');
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
      const ws = wb.addWorksheet(spec.title);
      ws.columns = spec.columns.map((c) => ({ header: c.header, key: c.key, width: c.format === 'time' ? 18 : 14 }));
      let n = 0;
      for (const row of rows) {
        ws.addRow(values(row, table, timeZone)).commit();
        if (++n % 500 === 0 && out.writableNeedDrain) await new Promise((r) => out.once('drain', r));
      }
      ws.commit();
      await wb.commit();
    } catch (e) {
      out.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  return out;
}
