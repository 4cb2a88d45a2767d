/** Domain refusals are values, never exceptions. */
export type DomainErrorCode =
  | 'NOT_SUBMITTER'
  | 'NOT_CURRENT_APPROVER'
  | 'REQUEST_CLOSED'
  | 'NOT_REJECTED'
  | 'ALREADY_DECIDED'
  | 'REASON_REQUIRED'
  | 'NO_ASSIGNEE'
  | 'MISSING_DOCUMENT'
  | 'UNKNOWN_REGION'
  | 'NOT_ALLOWED_TO_REGISTER'
  | 'TASK_NOT_OPEN'
  | 'NOT_TASK_HOLDER'
  | 'INVALID_FIELD'
  | 'NOT_IN_DELIVERY'
  | 'DOCS_INCOMPLETE'
  | 'HANDOVER_PENDING'
  | 'UNKNOWN_SUBFLOW'
  | 'SUBFLOW_NOT_NOW'
  | 'NOT_ALLOWED_TO_RAISE'
  | 'FILLED_BY_TASK'
  | 'SELF_APPROVAL'
  | 'UNKNOWN_PERSON'
  | 'ALREADY_HOLDER'
  | 'NOT_MANAGER'
  | 'NO_SUCH_SIGNER'
  | 'NOT_YOUR_SIGNER'
  | 'ALREADY_SIGNED'
  | 'BAD_SEND_BACK'
  | 'NOTHING_TO_REVOKE'
  | 'ALREADY_ACTED'
  | 'TASK_REQUIRED';

export interface DomainError {
  code: DomainErrorCode;
  meta?: Record<string, string | number>;
}

export const domainError = (code: DomainErrorCode, meta?: Record<string, string | number>): DomainError =>
  meta ? { code, meta } : { code };
