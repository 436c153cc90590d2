#!/usr/bin/env node
// The `flux-studio` command. It runs the built CLI bundle (out/main/cli.js), which holds
// the same services as the desktop app, without Electron.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('flux-studio is not built yet. Run `npm ci && npm run build` in the checkout first.\n');
  process.exit(1);
}
void require(cli).main(process.argv);
