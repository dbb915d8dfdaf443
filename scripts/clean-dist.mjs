// Empties dist/ before a build, so a package never carries the output of a source file since deleted.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
