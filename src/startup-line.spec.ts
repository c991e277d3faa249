import { startupLine } from './startup-line';

describe('startupLine', () => {
  it.each([
    [{ port: 8080 }, 'ready: http://localhost:8080 (API docs http://localhost:8080/docs)'],
    [
      { port: 3000, devSecretsFile: '.data/dev-secrets.json' },
      'ready: http://localhost:3000 (API docs http://localhost:3000/docs); dev secrets in .data/dev-secrets.json',
    ],
    [
      { port: 3000, devSecretsFile: '.data/dev-secrets.json', embeddedDatabaseUrl: 'postgresql://postgres:pw@127.0.0.1:5999/suki' },
      'ready: http://localhost:3000 (API docs http://localhost:3000/docs); dev secrets in .data/dev-secrets.json; ' +
        'embedded database postgresql://postgres:pw@127.0.0.1:5999/suki',
    ],
    [
      { port: 3000, sukiSimulatorUrl: 'http://127.0.0.1:41234' },
      'ready: http://localhost:3000 against the SUKI API SIMULATOR at http://127.0.0.1:41234: every note is made up ' +
        '(simulated: true) (API docs http://localhost:3000/docs)',
    ],
  ])('%j', (facts, line) => {
    expect(startupLine(facts)).toBe(line);
  });
});
