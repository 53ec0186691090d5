#!/usr/bin/env node
// Extension tests in a real VS Code: code-server 4.100.3 (VS Code 1.100.3's extension host and web workbench) driven
// by Debian's Chromium through playwright-core, because these machines cannot download desktop VS Code (see
// /work/shared/vscode-tests.md; test/vscode/runTestElectron.mjs is the desktop runner for machines that can).
//
//   node test/vscode/run.mjs        (scripts/run-tests.mjs runs it with the test cluster's URLs in the environment)
//
// Steps: grammar tokenization test; install code-server into ~/.cache/pglens-test/code-server when missing; bundle
// the mocha suite; copy test/vscode/fixture to a temp workspace with a pglens.json for the test database; start
// code-server with the extension under development and the suite as extensionTestsPath (through the workbench's
// `payload` URL parameter); exit with the suite's code. A screenshot of the editor with a squiggle and an open
// hover goes to test-output/vscode-hover.png (and docs/images/vscode-hover.png). Then the packaged .vsix is
// installed into a fresh code-server with --install-extension and must activate and show its status bar item.

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CODE_SERVER_VERSION = '4.100.3';
const cacheDir = process.env.PGLENS_CODE_SERVER_DIR ?? join(homedir(), '.cache', 'pglens-test', 'code-server');
const codeServerBin = join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromium = process.env.PGLENS_CHROMIUM ?? '/usr/bin/chromium';
const outputDir = join(root, 'test-output');
const log = (line) => process.stderr.write(`[vscode-tests] ${line}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

/** The recipe of /work/shared/vscode-tests.md: ripgrep seeded from Debian's binary, then code-server with its install scripts. */
function ensureCodeServer() {
  if (existsSync(codeServerBin)) return;
  for (const binary of ['/usr/bin/rg', chromium]) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`bash scripts/setup.sh\` (apt packages ripgrep chromium libkrb5-dev)`);
  }
  log(`installing code-server ${CODE_SERVER_VERSION} into ${cacheDir} (a few minutes, once)`);
  mkdirSync(cacheDir, { recursive: true });
  const rgCache = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-'));
  copyFileSync('/usr/bin/rg', join(staging, 'rg'));
  run('tar', ['czf', join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', staging, 'rg']);
  if (!existsSync(join(cacheDir, 'package.json'))) writeFileSync(join(cacheDir, 'package.json'), '{ "name": "pglens-code-server", "private": true }\n');
  run('npm', ['install', '--unsafe-perm', `code-server@${CODE_SERVER_VERSION}`, '--foreground-scripts', '--no-audit', '--no-fund'], {
    cwd: cacheDir,
    env: { ...process.env, npm_config_yes: 'true' },
  });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function testDatabaseUrl() {
  if (process.env.PGLENS_TEST_DATABASE_URL) return { url: process.env.PGLENS_TEST_DATABASE_URL, stop: async () => undefined };
  // Run on its own: a cluster of our own, through the same harness as the other tests.
  const { require: tsRequire } = await import('tsx/cjs/api');
  const harness = tsRequire('../harness/postgres.ts', import.meta.url);
  const started = await harness.startFixtureCluster();
  return { url: started.shared.url, stop: () => started.cluster.stop() };
}

async function bundleSuite() {
  const { build } = await import('esbuild');
  const outfile = join(root, 'out', 'test', 'vscode', 'suite', 'index.js');
  await build({
    entryPoints: [join(root, 'test', 'vscode', 'suite', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // mocha stays a plain require: the extension host resolves it from the repository's node_modules.
    external: ['vscode', 'mocha'],
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

function makeWorkspace(url) {
  const workspace = mkdtempSync(join(tmpdir(), 'pglens-vscode-ws-'));
  cpSync(join(root, 'test', 'vscode', 'fixture'), workspace, { recursive: true });
  // prod-snapshot.json (in the fixture): production's numbers for the CodeLens test (suite/codeLens.test.ts).
  writeFileSync(join(workspace, 'pglens.json'), `${JSON.stringify({ database: { url }, snapshot: 'prod-snapshot.json' }, null, 2)}\n`);
  mkdirSync(join(workspace, '.vscode'));
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    `${JSON.stringify({ 'pglens.debounceMs': 100, 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'typescript.validate.enable': false }, null, 2)}\n`,
  );
  return workspace;
}

async function startCodeServer(workspace, extraArgs, env) {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'pglens-code-server-'));
  const child = spawn(
    process.execPath,
    [
      codeServerBin,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      join(home, 'ud'),
      '--extensions-dir',
      join(home, 'ext'),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      ...extraArgs,
      workspace,
    ],
    {
      env: { ...process.env, ...env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = [];
  child.stdout.on('data', (d) => output.push(d.toString()));
  child.stderr.on('data', (d) => output.push(d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited early:\n${output.join('')}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() - started > 60_000) throw new Error(`code-server did not start within 60 s:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    home,
    port,
    output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function launchBrowser() {
  const { chromium: playwright } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'pglens-chromium-'));
  const context = await playwright.launchPersistentContext(profile, {
    executablePath: chromium,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The CodeLens as a person sees it: an element of the editor with production's numbers, drawn just above the line of
 * the statement it is about; then docs/images/codelens.png. Writes "seen: <lens text>" (or the problem) to the done file.
 */
async function codeLensScreenshot(page, doneFile) {
  let outcome;
  try {
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'prod:' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await lens.innerText()).trim();
    const line = page.locator('.monaco-editor .view-line', { hasText: 'select * from accounts' }).first();
    const [lensBox, lineBox] = [await lens.boundingBox(), await line.boundingBox()];
    if (!lensBox || !lineBox || !(lensBox.y < lineBox.y && lineBox.y - lensBox.y < 2 * lineBox.height)) {
      throw new Error(`the lens is not just above the statement's line (lens ${JSON.stringify(lensBox)}, line ${JSON.stringify(lineBox)})`);
    }
    mkdirSync(outputDir, { recursive: true });
    const file = join(outputDir, 'codelens.png');
    await page.screenshot({ path: file });
    mkdirSync(join(root, 'docs', 'images'), { recursive: true });
    copyFileSync(file, join(root, 'docs', 'images', 'codelens.png'));
    log(`CodeLens "${text}" above the statement; screenshot saved to ${file}`);
    outcome = `seen: ${text}`;
  } catch (error) {
    outcome = `problem: ${error.message}`;
  }
  writeFileSync(doneFile, `${outcome}\n`);
}

/**
 * The plan view's webview, found among the page's frames: the tree must be drawn with the costliest node marked (a
 * diff: a changed node); then a screenshot to test-output/<name>.png and docs/images/<name>.png, and the done file.
 */
async function planViewScreenshot(page, name, doneFile) {
  const selector = name === 'plan-diff' ? '.row.changed .label' : '.row.costliest .label';
  const started = Date.now();
  let label;
  while (label === undefined && Date.now() - started < 20_000) {
    for (const frame of page.frames()) {
      const element = await frame.$(selector).catch(() => null);
      if (element) label = (await element.textContent()) ?? '';
    }
    if (label === undefined) await new Promise((r) => setTimeout(r, 250));
  }
  try {
    if (label === undefined) throw new Error(`no ${selector} in any webview frame within 20 s`);
    log(`plan view ${name}: ${selector} is "${label}"`);
    mkdirSync(outputDir, { recursive: true });
    const file = join(outputDir, `${name}.png`);
    await page.screenshot({ path: file });
    mkdirSync(join(root, 'docs', 'images'), { recursive: true });
    copyFileSync(file, join(root, 'docs', 'images', `${name}.png`));
    log(`screenshot saved to ${file}`);
  } finally {
    writeFileSync(doneFile, 'done\n');
  }
}

/** Waits for the quick input box titled `title`, types `text` over its value (if given), then presses `key`. */
async function answerInputBox(page, { title, text, key }) {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  const box = widget.locator('.quick-input-box input');
  await box.focus();
  if (text !== undefined) {
    await box.press('Control+A');
    await page.keyboard.type(text);
  }
  await page.keyboard.press(key);
}

/** The mocha suite inside code-server; resolves with its exit code. */
async function runSuite(url) {
  const suite = await bundleSuite();
  const workspace = makeWorkspace(url);
  const screenshotDone = join(workspace, '.screenshot-done');
  const server = await startCodeServer(workspace, [], { PGLENS_SCREENSHOT_DONE_FILE: screenshotDone });
  const browser = await launchBrowser();
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
    let screenshotTaken = false;
    const planViewProblems = [];
    page.on('console', async (message) => {
      const text = message.text();
      const planShot = /PGLENS_PLAN_SCREENSHOT (plan-view|plan-diff)/.exec(text);
      if (planShot) {
        await planViewScreenshot(page, planShot[1], `${screenshotDone}-${planShot[1]}`).catch((error) => planViewProblems.push(`${planShot[1]}: ${error.message}`));
        return;
      }
      if (/PGLENS_CODELENS_SCREENSHOT/.test(text)) {
        await codeLensScreenshot(page, `${screenshotDone}-codelens`);
        return;
      }
      if (/PGLENS_SCREENSHOT_READY/.test(text) && !screenshotTaken) {
        screenshotTaken = true;
        mkdirSync(outputDir, { recursive: true });
        const file = join(outputDir, 'vscode-hover.png');
        await page.screenshot({ path: file }).catch((error) => log(`screenshot failed: ${error.message}`));
        mkdirSync(join(root, 'docs', 'images'), { recursive: true });
        if (existsSync(file)) copyFileSync(file, join(root, 'docs', 'images', 'vscode-hover.png'));
        log(`screenshot saved to ${file}`);
        writeFileSync(screenshotDone, 'done\n');
        return;
      }
      // The suite asks for input typed into a quick input box, as a person would (the extension API cannot type).
      const input = /PGLENS_INPUT (\S+)/.exec(text);
      if (input) {
        await answerInputBox(page, JSON.parse(decodeURIComponent(input[1]))).catch((error) => log(`input box not answered: ${error.message}`));
        return;
      }
      // mocha's output and the extension host's log, without the workbench's noise.
      if (/\[Extension Host\]|passing|failing|pending|✔|✓|\d+\) |Error|pglens/.test(text)) process.stdout.write(`${text}\n`);
    });
    const authority = `127.0.0.1:${server.port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${root}`],
      ['extensionTestsPath', `vscode-remote://${authority}${suite}`],
    ];
    await page.goto(`${server.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    const timeout = new Promise((r) => setTimeout(() => r('timeout'), 10 * 60_000));
    const code = await Promise.race([exited, timeout]);
    if (code === 'timeout') {
      log('the suite did not finish within 10 minutes');
      await page.screenshot({ path: join(outputDir, 'vscode-timeout.png') }).catch(() => undefined);
      return 1;
    }
    if (!screenshotTaken) log('warning: the suite never asked for the screenshot');
    // The plan view's page is drawn in a webview the extension API cannot read: checked here, in its frame.
    for (const problem of planViewProblems) log(`plan view not rendered: ${problem}`);
    return planViewProblems.length > 0 && Number(code) === 0 ? 1 : Number(code);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** The packaged .vsix installs with --install-extension, activates and shows its status bar item. */
async function checkVsix(url) {
  const vsix = join(root, 'pglens.vsix');
  if (process.env.PGLENS_SKIP_PACKAGE !== '1' || !existsSync(vsix)) {
    run('npm', ['run', 'package', '--silent'], { cwd: root });
  }
  const workspace = makeWorkspace(url);
  const home = mkdtempSync(join(tmpdir(), 'pglens-vsix-'));
  try {
    const env = { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache') };
    run(process.execPath, [codeServerBin, '--extensions-dir', join(home, 'ext'), '--user-data-dir', join(home, 'ud'), '--install-extension', vsix], { env });
    const installed = readdirSync(join(home, 'ext')).filter((name) => name.startsWith('pglens.pglens-'));
    if (installed.length !== 1) throw new Error(`--install-extension did not install pglens: ${readdirSync(join(home, 'ext')).join(', ')}`);
    const server = await startCodeServer(workspace, ['--extensions-dir', join(home, 'ext')], {});
    const browser = await launchBrowser();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(`${server.base}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 180_000 });
      // Open src/orders.ts through Quick Open, then wait for the status bar item and the squiggle.
      await page.waitForSelector('.monaco-workbench', { timeout: 180_000 });
      await page.waitForTimeout(2000);
      // Open src/orders.ts from the explorer (activation: onLanguage:typescript or workspaceContains:pglens.json).
      const explorer = page.locator('.explorer-folders-view');
      await explorer.locator('.monaco-list-row', { hasText: /^src$/ }).first().click({ timeout: 60_000 });
      await explorer.locator('.monaco-list-row', { hasText: 'orders.ts' }).first().click({ timeout: 30_000 });
      const item = page.locator('.statusbar-item', { hasText: /pglens: app@127\.0\.0\.1 · 1 finding/ });
      await item.first().waitFor({ timeout: 120_000 });
      await page.locator('.squiggly-warning').first().waitFor({ timeout: 30_000 });
      log(`installed ${installed[0]} from the .vsix: activated, status bar "${(await item.first().innerText()).trim()}", squiggle shown`);
      return 0;
    } catch (error) {
      mkdirSync(outputDir, { recursive: true });
      await browser.context.pages()[0]?.screenshot({ path: join(outputDir, 'vsix-failure.png') }).catch(() => undefined);
      log(`the installed .vsix did not work: ${error.message}\n${server.output.join('').slice(-3000)}`);
      return 1;
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

async function main() {
  ensureCodeServer();
  const grammar = spawnSync(process.execPath, ['--test', '--test-reporter=spec', join(root, 'test', 'vscode', 'grammar.test.mjs')], {
    stdio: 'inherit',
    env: { ...process.env, PGLENS_CODE_SERVER_DIR: cacheDir },
  });
  if (process.env.PGLENS_TEST_NO_BUILD !== '1') run(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
  const database = await testDatabaseUrl();
  try {
    const suite = process.env.PGLENS_SKIP_SUITE === '1' ? 0 : await runSuite(database.url);
    log(`extension suite: exit code ${suite}`);
    const vsix = process.env.PGLENS_SKIP_VSIX === '1' ? 0 : await checkVsix(database.url);
    return grammar.status || suite || vsix;
  } finally {
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(error.stack ?? String(error));
    process.exit(1);
  },
);
