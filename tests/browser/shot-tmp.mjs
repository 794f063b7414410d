import { chromium } from 'playwright-core';
import fs from 'fs';
const dir = fs.mkdtempSync('/tmp/ui-chrome-');
const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await ctx.newPage();
page.on('console', m => console.log('console', m.type(), m.text()));
page.on('pageerror', e => console.log('pageerror', e.message));
await page.goto(process.argv[2]);
await page.waitForTimeout(800);
await page.screenshot({ path: process.argv[3], fullPage: true });
await ctx.close();
fs.rmSync(dir, { recursive: true, force: true });
