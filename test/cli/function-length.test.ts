// No function over 60 lines in src/ and web/ (issue 19): a longer one is several steps that want names.
// Functions are found by the TypeScript compiler (declarations, expressions, arrows, methods,
// constructors, accessors), so a function is measured from its first token to its last, nested ones
// included in their parent's length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { API } from 'typescript/unstable/sync';
import type { Node, SourceFile } from 'typescript/unstable/ast';
import * as is from 'typescript/unstable/ast/is';
import { ROOT } from './process.js';

const MAX_LINES = 60;

export interface LongFunction { file: string; name: string; line: number; lines: number }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function isFunction(node: Node): boolean {
  return is.isFunctionDeclaration(node) || is.isFunctionExpression(node) || is.isArrowFunction(node)
    || is.isMethodDeclaration(node) || is.isConstructorDeclaration(node)
    || is.isGetAccessorDeclaration(node) || is.isSetAccessorDeclaration(node);
}

/** A function's own name, or the name of what it is assigned to (`const f = () => ...`, `{ f: () => ... }`). */
function nameOf(node: Node): string {
  const own = (node as { name?: { text?: string } }).name?.text;
  if (own) return own;
  if (is.isConstructorDeclaration(node)) return 'constructor';
  const holder = node.parent as { name?: { text?: string } } | undefined;
  if (holder?.name?.text && (is.isVariableDeclaration(node.parent) || is.isPropertyAssignment(node.parent)
    || is.isPropertyDeclaration(node.parent))) return holder.name.text;
  return '(anonymous)';
}

function longFunctionsIn(file: SourceFile, path: string, maxLines: number): LongFunction[] {
  const found: LongFunction[] = [];
  const lineOf = (position: number): number => file.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: Node): void => {
    if (isFunction(node)) {
      const line = lineOf(node.getStart(file));
      const lines = lineOf(node.end) - line + 1;
      if (lines > maxLines) found.push({ file: path, name: nameOf(node), line, lines });
    }
    node.forEachChild(visit);
  };
  visit(file);
  return found;
}

/** Every function longer than maxLines in the .ts files under dirs (relative to root), parsed by tsc. */
export function longFunctions(root: string, dirs: readonly string[], maxLines = MAX_LINES): LongFunction[] {
  const files = dirs.flatMap((dir) => sourceFiles(join(root, dir)));
  // A project of exactly these files, nothing resolved: only their syntax is wanted.
  const configDir = mkdtempSync(join(tmpdir(), 'arch-edges-function-length-'));
  const api = new API({ cwd: configDir });
  try {
    const config = join(configDir, 'tsconfig.json');
    writeFileSync(config, JSON.stringify({ compilerOptions: { noResolve: true, noLib: true, types: [] }, files }));
    const program = api.updateSnapshot({ openProjects: [config] }).getProjects()[0].program;
    return files.flatMap((path) => {
      const file = program.getSourceFile(path);
      assert.ok(file, `tsc did not read ${path}`);
      return longFunctionsIn(file, relative(root, path), maxLines);
    });
  } finally {
    api.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

test('no function over 60 lines in src/ and web/', () => {
  const found = longFunctions(ROOT, ['src', 'web']);
  assert.deepEqual(found.map((f) => `${f.file} › ${f.name} (line ${f.line}, ${f.lines} lines)`), []);
});

test('the length check finds declarations, arrows, methods and object-literal functions by name', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'arch-edges-function-length-fixture-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
  writeFileSync(join(root, 'a.ts'), [
    `export function long() {\n${body(4)}\n}`,
    `export function short() {\n${body(2)}\n}`,
    `const arrow = () => {\n${body(4)}\n};`,
    `class C {\n  method() {\n${body(4)}\n  }\n}`,
    `const o = { handler: function () {\n${body(4)}\n} };`,
  ].join('\n'));
  const found = longFunctions(root, ['.'], 5).map((f) => `${f.name}@${f.line}:${f.lines}`);
  assert.deepEqual(found, ['long@1:6', 'arrow@11:6', 'method@18:6', 'handler@25:6']);
});
