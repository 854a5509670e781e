#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): see run.cjs.
require('./run.cjs')
  .run(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
