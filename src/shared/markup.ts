/**
 * Escaping helpers shared by platform renderers whose markup has no documented escape (DingTalk and WeCom
 * markdown): characters that start markup are replaced by their full-width look-alikes, which no markdown or
 * tag parser reads, whatever it does with entities or backslashes.
 */
const FULL_WIDTH: Readonly<Record<string, string>> = {
  '<': '＜',
  '>': '＞',
  '*': '＊',
  '[': '［',
  ']': '］',
  '(': '（',
  ')': '）',
  '#': '＃',
  '|': '｜',
  '`': '｀',
  '~': '～',
  '\\': '＼',
  '!': '！',
  _: '＿',
};

/** Line breaks become spaces: a value cannot start a line of its own (a false "**label：** value" line). */
export function foldLineBreaks(s: string): string {
  return s.replace(/\r\n?|\n|\u2028|\u2029/g, ' ');
}

/** One literal run for a markdown target without a documented escape: no line breaks, no markup characters. */
export function fullWidthMarkup(s: string): string {
  return foldLineBreaks(s).replace(/[<>*[\]()#|`~\\!_]/g, (c) => FULL_WIDTH[c] ?? c);
}

/**
 * A rendered line whose text came first: a leading `-`/`+` (list) or `1.` (ordered list) is neutralised with the
 * given replacements, so a value at the start of a line cannot become a list item.
 */
export function guardLineStart(line: string, dash: string, dot: string): string {
  return line.replace(/^(\s*)[-+]/, (_m, sp: string) => `${sp}${dash}`).replace(/^(\s*\d+)\./, `$1${dot}`);
}

/** Only `<` and `>` (tags and `<@userid>` mentions), for text messages: the rest of the text stays as typed. */
export function fullWidthAngles(s: string): string {
  return s.replace(/</g, '＜').replace(/>/g, '＞');
}
