// Rewriting a site's SQL text in place: readers of other tools' placeholders (pg-promise's formatting variables,
// sqlc's named parameters) replace ranges of the text with `$n` or other SQL, and every offset that maps the text
// back onto the file (segments, parameters, inlined constants) moves with it.

import type { SourceSegment, SqlSite, TemplateParameter } from '../types';

/** One range of a site's SQL replaced by `text`; `parameters` are the `$n` in `text`, their sqlStart relative to it. */
export interface SiteEdit {
  start: number;
  end: number;
  text: string;
  parameters: TemplateParameter[];
}

/** File offset of a character of the site that was copied from the file (variables always are). */
export function fileOffsetOf(site: SqlSite, sqlOffset: number): number {
  for (const segment of site.segments) {
    if (sqlOffset >= segment.sqlStart && sqlOffset < segment.sqlStart + segment.length) {
      return segment.fileLength !== undefined ? segment.fileStart : segment.fileStart + (sqlOffset - segment.sqlStart);
    }
  }
  return site.fileStart;
}

/**
 * `site` with text ranges replaced (sorted, not overlapping each other or a `$n` of a template): segments, parameters
 * and inlined constants moved. The caller says what the result is (`assembled`, whose values are pasted).
 */
export function spliceSite(site: SqlSite, edits: SiteEdit[], highestParameter: number): SqlSite {
  const moved = (offset: number): number => {
    let delta = 0;
    for (const edit of edits) if (edit.end <= offset) delta += edit.text.length - (edit.end - edit.start);
    return offset + delta;
  };
  let text = '';
  let from = 0;
  const parameters: TemplateParameter[] = site.parameters.map((parameter) => ({ ...parameter, sqlStart: moved(parameter.sqlStart) }));
  for (const edit of edits) {
    text += site.text.slice(from, edit.start);
    for (const added of edit.parameters) parameters.push({ ...added, sqlStart: text.length + added.sqlStart });
    text += edit.text;
    from = edit.end;
  }
  text += site.text.slice(from);
  const segments: SourceSegment[] = [];
  for (const segment of site.segments) {
    const segmentEnd = segment.sqlStart + segment.length;
    let start = segment.sqlStart;
    for (const edit of edits) {
      if (edit.end <= start || edit.start >= segmentEnd) continue;
      if (segment.fileLength !== undefined) {
        start = segmentEnd; // an escape sequence cut by a variable: nothing of it is copied any more
        break;
      }
      if (edit.start > start) segments.push({ sqlStart: moved(start), fileStart: segment.fileStart + (start - segment.sqlStart), length: edit.start - start });
      start = Math.max(start, edit.end);
    }
    if (start >= segmentEnd) continue;
    if (segment.fileLength !== undefined) segments.push({ ...segment, sqlStart: moved(start) });
    else segments.push({ sqlStart: moved(start), fileStart: segment.fileStart + (start - segment.sqlStart), length: segmentEnd - start });
  }
  parameters.sort((a, b) => a.sqlStart - b.sqlStart);
  const result: SqlSite = {
    ...site,
    text,
    segments,
    parameters,
    parameterCount: Math.max(site.parameterCount, highestParameter),
  };
  if (site.inlinedConstants) {
    result.inlinedConstants = site.inlinedConstants.map((region) => ({ ...region, sqlStart: moved(region.sqlStart), sqlEnd: moved(region.sqlEnd) }));
  }
  return result;
}
