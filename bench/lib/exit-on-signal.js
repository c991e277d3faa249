'use strict';
// Preloaded (-r) into profiled servers: SIGUSR2 exits through process.exit(), the path on which
// Node writes a --cpu-prof profile (a death by SIGTERM would not write it).
process.on('SIGUSR2', () => process.exit(0));
