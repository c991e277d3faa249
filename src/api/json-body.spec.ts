import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { parseJsonObject } from './json-body';

/** A request as Express hands it on: the raw parser leaves a Buffer for JSON, nothing otherwise. */
function aRequest(body: Buffer | undefined, headers: Record<string, string> = {}): Request {
  const contentType = headers['content-type'] ?? '';
  return {
    body,
    headers,
    is: (types: string[]) => (types.some((type) => contentType.startsWith(type.replace('*+', ''))) ? contentType : false),
  } as unknown as Request;
}

const json = { 'content-type': 'application/json', 'content-length': '1' };

describe('parseJsonObject', () => {
  it.each([
    ['no body at all', aRequest(undefined), {}],
    ['an empty JSON body', aRequest(Buffer.from(''), json), {}],
    ['white space only', aRequest(Buffer.from(' \n'), json), {}],
    ['an object', aRequest(Buffer.from('{"kind":"transcripts"}'), json), { kind: 'transcripts' }],
  ])('reads %s', (_name, request, expected) => {
    expect(parseJsonObject(request)).toEqual(expected);
  });

  it.each([
    ['invalid JSON', '{"kind":', 'the body is not valid JSON'],
    ['an array', '[{}]', 'the body must be a JSON object'],
    ['null', 'null', 'the body must be a JSON object'],
    ['a string', '"failed"', 'the body must be a JSON object'],
  ])('refuses %s with 400', (_name, text, message) => {
    const refuse = () => parseJsonObject(aRequest(Buffer.from(text), json));
    expect(refuse).toThrow(BadRequestException);
    expect(refuse).toThrow(message);
  });

  it('refuses a body of another content type with 415, and takes a bodiless request of any type', () => {
    expect(() => parseJsonObject(aRequest(undefined, { 'content-type': 'text/plain', 'content-length': '5' }))).toThrow(
      UnsupportedMediaTypeException,
    );
    expect(parseJsonObject(aRequest(undefined, { 'content-type': 'text/plain', 'content-length': '0' }))).toEqual({});
  });
});
