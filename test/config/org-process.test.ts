import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOrgFile } from '../../src/config/org-file';
import { checkOrgAgainstProcess, isWarning, rolesNeeded } from '../../src/config/org-process';
import { DEFAULT_PROCESS_FILE, LEGACY_PROCESS_FILE, loadProcessFile } from '../../src/config/process-file';

const standard = loadProcessFile(DEFAULT_PROCESS_FILE);
const legacy = loadProcessFile(LEGACY_PROCESS_FILE);
const example = readFileSync(new URL('../../org.example.yaml', import.meta.url), 'utf8');
const org = (text: string) => parseOrgFile(text, 'org.yaml');

describe('checkOrgAgainstProcess', () => {
  it('the demo organisation serves both shipped processes without a problem', () => {
    expect(checkOrgAgainstProcess(org(example), [standard, legacy])).toEqual([]);
  });

  it('collects every role the standard process needs, with where', () => {
    const needed = rolesNeeded(standard);
    expect(needed.get('sales')).toBe('registrar');
    expect(needed.get('special_approver')).toBe('approval.routes.1.steps.1.role');
    expect(needed.get('regional_pm')).toBe('flows.project.tasks.0.form.fields.2.role');
    expect(needed.get('test_group')).toBe('subflows.0.steps.0.holder.role');
    expect(needed.get('after_sales_manager')).toBe('subflows.1.raise.1.role');
    expect(needed.has('presales')).toBe(false);
  });

  it('a needed role without members is an error naming where it is needed', () => {
    const text = example.replace('  test_group: [sun.qa]\n', '').replace('rd_manager: [qian.rd]', 'rd_manager: []');
    expect(checkOrgAgainstProcess(org(text), [standard])).toEqual([
      'roles.rd_manager: the process needs rd_manager (研发经理) at flows.project.tasks.8.holder.role, but it has no members',
      'roles.test_group: the process needs test_group (测试组) at subflows.0.steps.0.holder.role, but it has no members',
    ]);
  });

  it('a role split by region needs members in every region the org uses (or one list)', () => {
    const text = example.replace(
      'special_approver: { north: [yang.huiyu], south: [dai.juanxiang] }',
      'special_approver: { north: [yang.huiyu] }',
    );
    expect(checkOrgAgainstProcess(org(text), [standard])).toEqual([
      'roles.special_approver.south: special_approver (特批领导) is split by region and region "south" has no members (or give one list for every region)',
    ]);
    const oneList = example.replace(
      'special_approver: { north: [yang.huiyu], south: [dai.juanxiang] }',
      'special_approver: [yang.huiyu]',
    );
    expect(checkOrgAgainstProcess(org(oneList), [standard])).toEqual([]);
  });

  it('a role not split by region cannot be given per region', () => {
    const text = example.replace('rd_manager: [qian.rd]', 'rd_manager: { north: [qian.rd], south: [qian.rd] }');
    expect(checkOrgAgainstProcess(org(text), [standard])).toEqual([
      'roles.rd_manager: rd_manager (研发经理) is not split by region in the process: give one list of user ids',
    ]);
  });

  it('a role no process knows is a warning', () => {
    const problems = checkOrgAgainstProcess(org(`${example.replace('roles:\n', 'roles:\n  auditor: [zhao.biz]\n')}`), [
      standard,
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^warning: roles\.auditor: no process knows this role \(roles are: sales, presales/);
    expect(problems.filter((p) => !isWarning(p))).toEqual([]);
    // `admin` (who is told what only the org file can fix) is the org's own role, never a warning.
    const withAdmin = org(
      example.replace(/^ {2}admin:.*\n/m, '').replace('roles:\n', 'roles:\n  admin: [sun.director]\n'),
    );
    expect(checkOrgAgainstProcess(withAdmin, [standard])).toEqual([]);
  });
});
