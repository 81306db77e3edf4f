import { SaxesParser, type SaxesTagNS } from 'saxes';
import type { XDocument } from 'xslt-processor';
import type { XmlLimits } from '../../schemas/config.js';
import { AkaraError } from '../errors.js';
import { decodeXml } from './decode.js';
import { TreeBuilder } from './tree.js';

export interface XmlProblem {
  line: number;
  column: number;
  message: string;
}

export interface ParseOptions {
  limits: XmlLimits;
  /** Where the document came from, for messages. */
  uri?: string;
}

/** `<!DOCTYPE x>` alone is harmless; an internal subset or an external identifier is refused. */
function doctypeIsRefused(doctype: string): boolean {
  return /\[/.test(doctype) || /\b(SYSTEM|PUBLIC)\b/.test(doctype);
}

interface Events {
  open(tag: SaxesTagNS): void;
  close(): void;
  text(text: string): void;
  cdata(text: string): void;
  comment(text: string): void;
  pi(target: string, body: string): void;
}

/**
 * Runs saxes over a document with the limits and the DTD policy, calling `events` for each node.
 * Problems are collected (every one, up to `maxProblems`) rather than thrown, so a validator can
 * report them all; a limit or a refused DTD is thrown at once.
 */
function scan(text: string, options: ParseOptions, events: Events | undefined, maxProblems: number): XmlProblem[] {
  const { limits, uri } = options;
  const problems: XmlProblem[] = [];
  const parser = new SaxesParser({ xmlns: true, position: true });
  let depth = 0;
  const limit = (what: string, value: number) => new AkaraError('AKR_ERR_XML_LIMIT', {
    what, limit: value, line: parser.line, column: parser.column, ...(uri === undefined ? {} : { uri }),
  });
  parser.on('error', (err) => {
    // saxes prefixes its messages with the position: keep the message alone.
    const message = err.message.replace(/^(?:[^:]*:)?\d+:\d+: /, "");
    const last = problems.at(-1);
    // saxes may report one problem twice at the same place.
    if (last?.line === parser.line && last.column === parser.column && last.message === message) return;
    problems.push({ line: parser.line, column: parser.column, message });
    if (problems.length >= maxProblems) throw new StopScan();
  });
  parser.on('doctype', (doctype) => {
    if (doctypeIsRefused(doctype)) {
      throw new AkaraError('AKR_ERR_XML_DTD_FORBIDDEN', { line: parser.line, column: parser.column, ...(uri === undefined ? {} : { uri }) });
    }
  });
  parser.on('opentag', (tag) => {
    if (++depth > limits.maxDepth) throw limit('element depth', limits.maxDepth);
    if (tag.name.length > limits.maxNameLength) throw limit('name length', limits.maxNameLength);
    const attributes = Object.values(tag.attributes);
    if (attributes.length > limits.maxAttributes) throw limit('attributes per element', limits.maxAttributes);
    for (const attribute of attributes) {
      if (attribute.name.length > limits.maxNameLength) throw limit('name length', limits.maxNameLength);
      if (attribute.value.length > limits.maxTextLength) throw limit('text length', limits.maxTextLength);
    }
    events?.open(tag);
  });
  parser.on('closetag', () => {
    depth--;
    events?.close();
  });
  parser.on('text', (t) => {
    if (t.length > limits.maxTextLength) throw limit('text length', limits.maxTextLength);
    events?.text(t);
  });
  parser.on('cdata', (t) => {
    if (t.length > limits.maxTextLength) throw limit('text length', limits.maxTextLength);
    events?.cdata(t);
  });
  parser.on('comment', (t) => events?.comment(t));
  parser.on('processinginstruction', ({ target, body }) => events?.pi(target, body));
  try {
    parser.write(text).close();
  } catch (err) {
    if (!(err instanceof StopScan)) throw err;
  }
  return problems;
}

class StopScan extends Error {}

function malformed(problem: XmlProblem, uri: string | undefined): AkaraError {
  return new AkaraError('AKR_ERR_XML_MALFORMED', {
    line: problem.line, column: problem.column, reason: problem.message, ...(uri === undefined ? {} : { uri }),
  });
}

function checkSize(bytes: number, options: ParseOptions): void {
  if (bytes > options.limits.maxBytes) {
    throw new AkaraError('AKR_ERR_XML_LIMIT', { what: 'document size in bytes', limit: options.limits.maxBytes, ...(options.uri === undefined ? {} : { uri: options.uri }) });
  }
}

/** Checks well-formedness; answers every problem found (an empty list: well-formed). */
export function checkXml(input: Uint8Array | string, options: ParseOptions, maxProblems = 100): XmlProblem[] {
  checkSize(typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength, options);
  return scan(typeof input === 'string' ? input : decodeXml(input, options.uri), options, undefined, maxProblems);
}

/**
 * Parses untrusted XML with saxes, within the limits, and builds the XSLT engine's document from its
 * events (xslt-processor's own parser is slow and lenient). Throws AKR_ERR_XML_MALFORMED with the line
 * and column of the first problem, AKR_ERR_XML_DTD_FORBIDDEN, or AKR_ERR_XML_LIMIT.
 */
export function parseXml(input: Uint8Array | string, options: ParseOptions): XDocument {
  checkSize(typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength, options);
  const text = typeof input === 'string' ? input : decodeXml(input, options.uri);
  const tree = new TreeBuilder();
  const problems = scan(text, options, {
    open: (tag) => tree.open(tag.name, tag.uri, tag.attributes),
    close: () => tree.close(),
    text: (t) => { tree.text(t); },
    cdata: (t) => tree.cdata(t),
    comment: (t) => tree.comment(t),
    pi: (target, body) => tree.processingInstruction(target, body),
  }, 1);
  if (problems.length > 0) throw malformed(problems[0]!, options.uri);
  return tree.doc;
}
