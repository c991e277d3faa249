import { FaultCounter, parseFault } from './fault';

describe('parseFault', () => {
  it.each([
    ['503x3', { kind: 'status', status: 503, times: 3 }],
    ['429', { kind: 'status', status: 429, times: 1 }],
    ['404x100', { kind: 'status', status: 404, times: 100 }],
    ['timeout', { kind: 'timeout', times: 1 }],
    [' TIMEOUTx2 ', { kind: 'timeout', times: 2 }],
  ])('reads %j', (value, fault) => {
    expect(parseFault(value)).toEqual(fault);
  });

  it.each(['', '200', '302x1', '600', '503x0', '503x101', '503x', 'x3', 'slow', '503,429'])('refuses %j', (value) => {
    expect(parseFault(value)).toBeUndefined();
  });
});

describe('FaultCounter', () => {
  it('faults each URL the given number of times, then lets it through for good', () => {
    const counter = new FaultCounter();
    const fault = { kind: 'status' as const, status: 503, times: 2 };
    const calls = ['/a', '/b', '/a', '/a', '/b', '/b', '/a'].map((url) => counter.take(url, fault));
    expect(calls).toEqual([true, true, true, false, true, false, false]);
  });
});
