import type { ProcessDefinition } from '../domain/process/definition';

/** Deployment knobs applied on top of every definition (they are not part of its version). */
export interface ProcessOverrides {
  docDueDays: number | null;
}

export const applyOverrides = (def: ProcessDefinition, o: ProcessOverrides): ProcessDefinition =>
  o.docDueDays === null
    ? def
    : { ...def, documents: def.documents.map((d) => ({ ...d, dueDays: o.docDueDays as number })) };
