/**
 * A strict parser of the Prometheus text exposition format (0.0.4): every line is a HELP, a TYPE or a sample whose
 * family was declared by a TYPE line before it; anything else throws with the line number.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*"';
const SAMPLE = new RegExp(`^(${NAME})(\\{(?:${LABEL})(?:,${LABEL})*\\})? (\\S+)(?: -?\\d+)?$`);
/** Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes `Nan` before the first sample). */
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|[+-]?inf)$/i;
const SUFFIXES: Record<string, string[]> = {
  counter: ['_total', ''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
  untyped: [''],
};

export function parsePrometheus(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const at = `line ${i + 1}: ${line}`;
    if (line === '') return;
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type?.[1] && type[2]) {
      if (types.has(type[1])) throw new Error(`duplicate TYPE, ${at}`);
      types.set(type[1], type[2]);
      return;
    }
    if (new RegExp(`^# HELP ${NAME} .*$`).test(line)) return;
    const m = SAMPLE.exec(line);
    if (!m?.[1] || !m[3] || !VALUE.test(m[3])) throw new Error(`not a Prometheus sample, ${at}`);
    const name = m[1];
    const family = [...types.entries()].find(([base, t]) => SUFFIXES[t]?.some((s) => `${base}${s}` === name));
    if (!family) throw new Error(`sample without a TYPE, ${at}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').slice(1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (l[1]) labels[l[1]] = l[2] ?? '';
    }
    const v = m[3].toLowerCase();
    const value = v === 'nan' ? Number.NaN : v.endsWith('inf') ? (v.startsWith('-') ? -1 : 1) * Infinity : Number(v);
    samples.push({ name, labels, value });
  });
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`, or undefined. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} samples match ${name} ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}
