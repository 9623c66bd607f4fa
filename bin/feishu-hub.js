#!/usr/bin/env node
// The package ships TypeScript sources; tsx compiles them on load (no build step for users).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
