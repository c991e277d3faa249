'use strict';
// Servers under test run as child processes of their own, so the load generator's CPU is never
// charged to them, and their memory can be read from /proc.
const { spawn, execFileSync } = require('node:child_process');
const { openSync, readFileSync, existsSync } = require('node:fs');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const EXIT_HOOK = join(__dirname, 'exit-on-signal.js');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Reads one `Vm*` line of /proc/<pid>/status, in bytes; undefined off Linux or after exit. */
function procMemory(pid, field) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

let ticksPerSecond;

/** CPU time (user + system) the process has used so far, in seconds; undefined off Linux. */
function procCpuSeconds(pid) {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

function tail(file, lines = 30) {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * Starts `node <script>` and resolves once `readyUrl` answers at all (any status).
 * With `profile`, the child writes a CPU profile into `logDir` when it is stopped.
 */
async function startServer({ name, script, env, logDir, readyUrl, profile = false, cwd }) {
  const logFile = join(logDir, `${name}.log`);
  const out = openSync(logFile, 'a');
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`, `--cpu-prof-name=${name}.cpuprofile`, '-r', EXIT_HOOK] : [];
  const child = spawn(process.execPath, [...nodeArgs, script], { env, cwd, stdio: ['ignore', out, out] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (gone) throw new Error(`${name} exited during start-up; last lines of ${logFile}:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer ${readyUrl} within 90 s; see ${logFile}`);
    }
    try {
      await fetch(readyUrl, { signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      await sleep(200);
    }
  }

  return {
    name,
    pid: child.pid,
    logFile,
    profileFile: profile ? join(logDir, `${name}.cpuprofile`) : undefined,
    /** Resident memory now (VmRSS). */
    rss: () => procMemory(child.pid, 'VmRSS'),
    /** Peak resident memory over the process's whole life so far (VmHWM). */
    peakRss: () => procMemory(child.pid, 'VmHWM'),
    meter: () => new RunMeter(child.pid),
    async stop() {
      if (gone) return;
      // Profiled children exit through process.exit() so that Node writes the profile.
      child.kill(profile ? 'SIGUSR2' : 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Samples VmRSS while a run lasts (the peak of one run, not of the process) and counts its CPU time. */
class RunMeter {
  constructor(pid) {
    this.pid = pid;
    this.cpuAtStart = procCpuSeconds(pid);
    this.peak = procMemory(pid, 'VmRSS');
    this.timer = setInterval(() => {
      const now = procMemory(pid, 'VmRSS');
      if (now !== undefined && (this.peak === undefined || now > this.peak)) this.peak = now;
    }, 50);
  }

  /** { rss: peak bytes, cpuSeconds: CPU used since the start } */
  stop() {
    clearInterval(this.timer);
    const cpuNow = procCpuSeconds(this.pid);
    return { rss: this.peak, cpuSeconds: cpuNow === undefined || this.cpuAtStart === undefined ? undefined : cpuNow - this.cpuAtStart };
  }
}

module.exports = { freePort, startServer };
