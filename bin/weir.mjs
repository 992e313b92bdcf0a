#!/usr/bin/env node
// The `weir` command. TypeScript (ours and the user's job modules) loads through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
