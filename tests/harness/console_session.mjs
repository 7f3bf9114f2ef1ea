// One headless Chromium page on the console, for the console's browser tests: the hooks that
// open and close it (and a partner receiver), signing in, screenshots, and the checks every
// screen gets (axe-core, no sideways scrolling).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, ADMIN_TOKEN } from './app.mjs';
import { ROOT } from './worker.mjs';
import { launchChromium } from './chromium.mjs';
import { startReceiver } from './receiver.mjs';
import { assertAccessible } from './axe.mjs';

/** Where the screenshots go, for review (tests/artifacts is not checked in). */
export const SHOTS = join(ROOT, 'tests/artifacts/screenshots');

/**
 * Registers `before`/`after` hooks that open one page (and, unless `receiver: false`, a partner
 * receiver) and close them again. The returned session's `page`, `context` and `receiver` are set
 * once `ready` has resolved (to the session itself): a file's own `before` hook awaits it, since
 * Node does not run a file's hooks one after another.
 * @param {{receiver?: boolean, viewport?: {width: number, height: number}, acceptDialogs?: boolean,
 *   signIn?: boolean, shotPrefix?: string}} options `signIn` signs in to the console at once;
 *   `acceptDialogs` accepts every confirm(); `shotPrefix` starts every screenshot's file name.
 */
export function consoleSession({ receiver = true, viewport, acceptDialogs = false, signIn: signedIn = false, shotPrefix = '' } = {}) {
  let opened;
  let failed;
  const session = {
    page: null, context: null, receiver: null,
    ready: new Promise((resolve, reject) => { opened = resolve; failed = reject; }),
    /** A full-page screenshot named `name` (.png) under tests/artifacts/screenshots. */
    shot: (name) => session.page.screenshot({ path: join(SHOTS, `${shotPrefix}${name}.png`), fullPage: true }),
    /** Asserts the page does not scroll sideways at the viewport's width. */
    async fitsWidth(name) {
      const width = session.page.viewportSize().width;
      const scrollWidth = await session.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= width, `${name}: ${scrollWidth} px wide at a ${width} px viewport`);
    },
    /** axe-core, no sideways scrolling at the viewport's width, and a screenshot. */
    async screen(name) {
      await assertAccessible(session.page, name);
      await session.fitsWidth(name);
      await session.shot(name);
    },
  };
  async function open() {
    mkdirSync(SHOTS, { recursive: true });
    if (receiver) session.receiver = await startReceiver();
    session.context = await launchChromium();
    session.page = await session.context.newPage();
    if (viewport) await session.page.setViewportSize(viewport);
    if (acceptDialogs) session.page.on('dialog', (dialog) => dialog.accept());
    if (signedIn) await signIn(session.page);
  }
  before(() => open().then(() => opened(session), (err) => { failed(err); throw err; }));
  after(async () => {
    await session.context?.close();
    await session.receiver?.close();
  });
  return session;
}

/** Opens the console at `base` and signs in with `token`, waiting for the containers list. */
export async function signIn(page, { base = BASE, token = ADMIN_TOKEN } = {}) {
  await page.goto(`${base}/admin`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Containers' }).waitFor();
}
