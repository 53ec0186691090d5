#!/usr/bin/env node
'use strict';
// Thin launcher: the bundled CLI lives in out/cli.js (built by `npm run build`).
require('../out/cli.js');
