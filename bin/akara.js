#!/usr/bin/env node
import { runCli } from '../dist/server/cli.js';

await runCli(process.argv.slice(2));
