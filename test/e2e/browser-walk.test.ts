/**
 * A browser test (playwright-core with Debian chromium against the Agents Playground and the
 * sandbox) walks the main flows and saves screenshots of each card; the README shows them.
 *
 *   npm run build && node scripts/with-sandbox-ca.js npx jest test/e2e/browser-walk
 *       → screenshots in test-results/screenshots/ (never touches tracked files)
 *   UPDATE_SCREENSHOTS=1 node scripts/with-sandbox-ca.js npx jest test/e2e/browser-walk
 *       → refreshes docs/screenshots/ (ignored when CI is set)
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it), or CHROMIUM_PATH.
 * Without it the suite fails: it does not skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { RunningPlayground, startPlayground } from '../helpers/playground-process';

// Functions given to page.evaluate/waitForFunction run in the browser; the project compiles without
// the DOM lib, so declare the little they use (module-scoped: nothing global changes).
declare const document: any;
declare function getComputedStyle(element: unknown): { overflowY: string };
type DomElement = any;

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..');
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1' && !process.env.CI;
const SCREENSHOTS = path.join(ROOT, UPDATE ? 'docs/screenshots' : 'test-results/screenshots');
const VIEWPORT = { width: 1280, height: 900 };
const STEP_TIMEOUT_MS = 10_000;
const ALICE_ID = 'a11ce000-0000-4000-8000-000000000001';
const IVAN_ID = '1fa40000-0000-4000-8000-000000000009';

let pg: RunningPlayground | undefined;
let context: BrowserContext | undefined;
let profileDir: string | undefined;
let page: Page;
const blockedHosts = new Set<string>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the browser walk cannot run. Install it with \`apt-get install -y chromium\` ` +
        '(.ci/run does), or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (UPDATE) warnWithoutEmojiFont();
  profileDir = mkdtempSync(path.join(os.tmpdir(), 'immutable-id-chromium-'));
  const [running, browser] = await Promise.allSettled([
    startPlayground(),
    chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: VIEWPORT,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
  if (running.status === 'fulfilled') pg = running.value;
  if (browser.status === 'fulfilled') context = browser.value;
  if (running.status === 'rejected') throw running.reason;
  if (browser.status === 'rejected') throw browser.reason;
  const ctx = context!;

  // Offline: only the Playground (and the bot/sandbox on loopback). The UI asks a CDN for fonts.
  await ctx.route('**/*', async (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === 'localhost' || host === '127.0.0.1') return route.continue();
    blockedHosts.add(host);
    return route.abort();
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  // The first load parses a large bundle: on a busy 2-core machine that alone can take longer than one step.
  await page.goto(pg!.playgroundUrl, { timeout: 60_000 });
  await page.getByText('Connected.').first().waitFor({ timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await pg?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

/** The cards start with emoji (🧪, ✅, ⏳); without a colour emoji font Chromium draws empty boxes. */
function warnWithoutEmojiFont(): void {
  let fonts = '';
  try {
    fonts = execFileSync('fc-list', [':charset=1f9ea'], { encoding: 'utf8' });
  } catch {
    return; // no fontconfig tools: can't tell
  }
  if (!fonts.trim()) {
    process.stderr.write(
      'WARNING: no font on this machine draws emoji (U+1F9EA 🧪): the README screenshots will show empty boxes ' +
        'where the cards have emoji. Install one (Debian: apt-get install -y fonts-noto-color-emoji) and run again.\n',
    );
  }
}

/** Every Adaptive Card in the conversation; the sidebar shows only "Send a card", never a card. */
const cards = (): Locator => page.locator('.ac-adaptiveCard');

/** Types into the compose box, presses Send, and returns the bot's new card. */
async function send(text: string): Promise<Locator> {
  return cards().nth(await sendAt(text));
}

/** Like send(), but returns the new card's index: the card stays at that index when it is replaced. */
async function sendAt(text: string): Promise<number> {
  const before = await cards().count();
  // The compose box is a contenteditable (Lexical) div; its "Type a message..." is a sibling span.
  const box = page.getByRole('textbox');
  await box.fill(text);
  await page.getByRole('button', { name: 'Send Message' }).click();
  try {
    await cards().nth(before).waitFor({ state: 'visible' });
  } catch (err) {
    throw new Error(`no new card after sending "${text}" (${(err as Error).message.split('\n')[0]}). The chat ends with:\n${await chatTail()}`);
  }
  return before;
}

/** The last lines of the conversation pane, for failure messages. */
async function chatTail(): Promise<string> {
  const text = await page
    .evaluate(() => {
      const header = Array.from<DomElement>(document.querySelectorAll('[aria-label="Message header"]')).pop();
      let list: DomElement = header?.parentElement;
      while (list && !/(auto|scroll)/.test(getComputedStyle(list).overflowY)) list = list.parentElement;
      return (list?.innerText as string | undefined) ?? '(no messages)';
    })
    .catch((e: Error) => `(could not read the chat: ${e.message})`);
  return text.slice(-800);
}

async function visibleText(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\s+/g, ' ');
}

/**
 * Saves a PNG of the chat pane from the user's `prompt` bubble down to the newest message. The
 * viewport grows taller when the cards don't fit in 900 px, so each card is shown whole.
 */
async function screenshot(name: string, prompt: string): Promise<void> {
  const measure = () =>
    page.evaluate((promptText) => {
      const last = Array.from<DomElement>(document.querySelectorAll('.ac-adaptiveCard')).pop();
      if (!last) throw new Error('no card on the page');
      let list: DomElement = last.parentElement;
      while (list && !/(auto|scroll)/.test(getComputedStyle(list).overflowY)) list = list.parentElement;
      if (!list) throw new Error('no scrolling message list around the card');
      // The newest bubble whose whole text is the prompt: the user's own message, not a card line.
      const bubbles = Array.from<DomElement>(list.querySelectorAll('span, p, div')).filter(
        (el) => el.children.length === 0 && el.textContent?.trim() === promptText && !el.closest('.ac-adaptiveCard'),
      );
      const bubble = bubbles.pop();
      if (!bubble) throw new Error(`the prompt "${promptText}" is not in the chat`);
      list.scrollTop = list.scrollHeight;
      const listRect = list.getBoundingClientRect();
      // Where the messages end (the list may be taller than its content).
      let contentBottom = 0;
      for (const el of Array.from<DomElement>(list.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.height > 0 && r.width > 0) contentBottom = Math.max(contentBottom, r.bottom);
      }
      const bubbleTop = bubble.getBoundingClientRect().top - listRect.top + list.scrollTop; // in content coordinates
      return {
        needed: list.scrollHeight - bubbleTop + 48,
        available: list.clientHeight,
        x: listRect.left,
        width: listRect.width,
        listTop: listRect.top,
        bottom: Math.min(listRect.top + list.clientHeight, contentBottom + 16),
        bubbleTopOnScreen: bubble.getBoundingClientRect().top,
      };
    }, prompt);

  let m = await measure();
  if (m.needed > m.available) {
    await page.setViewportSize({ width: VIEWPORT.width, height: VIEWPORT.height + Math.ceil(m.needed - m.available) });
    await page.waitForTimeout(150); // layout settles
    m = await measure();
  }
  const top = Math.max(m.listTop, m.bubbleTopOnScreen - 40);
  await page.screenshot({
    path: path.join(SCREENSHOTS, name),
    clip: { x: m.x, y: top, width: m.width, height: m.bottom - top },
    animations: 'disabled',
  });
  await page.setViewportSize(VIEWPORT);
}

async function sandboxUser(id: string): Promise<{ onPremisesImmutableId: unknown }> {
  const response = await fetch(`${pg!.sandboxUrl}/_sandbox/users/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { onPremisesImmutableId: unknown };
}

describe('walking the main flows in the Agents Playground UI', () => {
  it('01 help: lists the commands', async () => {
    const card = await send('help');
    const text = await visibleText(card);
    expect(text).toContain('What I can do');
    expect(text).toContain('clear immutable id for alice@contoso.com');
    expect(text).toContain('Nothing changes until an approver taps Confirm');
    await screenshot('01-help.png', 'help');
  });

  let aliceIndex = -1;
  it('02 lookup: shows Alice with Confirm and Cancel', async () => {
    aliceIndex = await sendAt('clear immutable id for alice@contoso.com');
    const aliceCard = cards().nth(aliceIndex);
    const text = await visibleText(aliceCard);
    expect(text).toContain('Clear the immutable ID of Alice Smith?');
    expect(text).toContain('Alice Smith');
    expect(text).toContain('Miz67YLylkuu+WVf/UCh2g==');
    expect(await aliceCard.getByTitle('Confirm', { exact: true }).isVisible()).toBe(true);
    expect(await aliceCard.getByTitle('Cancel', { exact: true }).isVisible()).toBe(true);
    await screenshot('02-confirm-card.png', 'clear immutable id for alice@contoso.com');
  });

  it('03 confirm: the card becomes the outcome, then the tips card follows', async () => {
    expect(aliceIndex).toBeGreaterThanOrEqual(0); // step 02 ran
    const card = cards().nth(aliceIndex);
    await card.getByTitle('Confirm', { exact: true }).click();
    // Action.Execute: the Playground replaces the card in place with the bot's invoke response.
    await page.waitForFunction(
      (index) => document.querySelectorAll('.ac-adaptiveCard')[index]?.textContent?.includes('Immutable ID cleared'),
      aliceIndex,
    );
    const tips = cards().nth(aliceIndex + 1);
    await tips.waitFor({ state: 'visible' });
    const outcome = await visibleText(card);
    expect(outcome).toContain('Immutable ID cleared');
    expect(outcome).toContain('Miz67YLylkuu+WVf/UCh2g==');
    expect(outcome).toContain('Adele Approver');
    expect(outcome).not.toMatch(/fail/i);
    expect(await card.getByTitle('Confirm', { exact: true }).count()).toBe(0);
    const tipsText = await visibleText(tips);
    expect(tipsText).toContain('Start-ADSyncSyncCycle -PolicyType Delta');
    expect(tipsText).toContain('alice@contoso.com');
    expect((await sandboxUser(ALICE_ID)).onPremisesImmutableId).toBeNull();
    await screenshot('03-outcome.png', 'clear immutable id for alice@contoso.com');
  });

  it('04 synced user: explains instead of offering Confirm', async () => {
    const card = await send('clear immutable id for bob@contoso.com');
    const text = await visibleText(card);
    expect(text).toContain('bob@contoso.com');
    expect(text).toMatch(/still syncs|synced/i);
    expect(await card.getByTitle('Confirm', { exact: true }).count()).toBe(0);
    await screenshot('04-synced-user.png', 'clear immutable id for bob@contoso.com');
  });

  it('05 federated domain: explains the SourceAnchor rule and offers Move UPN and clear instead of a plain Confirm', async () => {
    const card = await send('clear immutable id for carol@fabrikam.com');
    const text = await visibleText(card);
    expect(text).toContain('carol@fabrikam.com');
    expect(text).toMatch(/federated/i);
    expect(text).toMatch(/onmicrosoft\.com/i);
    expect(await card.getByTitle('Move UPN and clear', { exact: true }).count()).toBe(1);
    expect(await card.getByTitle('Confirm', { exact: true }).count()).toBe(0);
    await screenshot('05-federated-user.png', 'clear immutable id for carol@fabrikam.com');
  });

  it('06 replication lag: says "waiting for directory replication", not "failed"', async () => {
    const index = await sendAt('clear immutable id for heidi@contoso.com');
    await cards().nth(index).getByTitle('Confirm', { exact: true }).click();
    await page.waitForFunction(
      (i) => /waiting for directory replication/i.test(document.querySelectorAll('.ac-adaptiveCard')[i]?.textContent ?? ''),
      index,
    );
    const text = await visibleText(cards().nth(index));
    expect(text).toMatch(/waiting for directory replication/i);
    expect(text).not.toMatch(/fail/i);
    await screenshot('06-replication-lag.png', 'clear immutable id for heidi@contoso.com');
  });

  it('07 display name: "show Kim Lee" lists both Kim Lees; a tap sends the exact command with the UPN', async () => {
    const index = await sendAt('show Kim Lee');
    const list = cards().nth(index);
    const text = await visibleText(list);
    expect(text).toContain("2 users' names start with Kim Lee");
    const pick = list.getByTitle('Kim Lee (kim.lee@contoso.com)', { exact: true });
    expect(await pick.isVisible()).toBe(true);
    expect(await list.getByTitle('Kim Lee (kim.lee4821@contoso.onmicrosoft.com)', { exact: true }).isVisible()).toBe(true);
    await screenshot('07-display-name-search.png', 'show Kim Lee');
    // Action.Submit with { command }: the Playground sends it to the bot, which runs the command.
    await pick.click();
    await cards().nth(index + 1).waitFor({ state: 'visible' });
    const user = await visibleText(cards().nth(index + 1));
    expect(user).toContain('kim.lee@contoso.com');
    expect(user).not.toContain('kim.lee4821');
  });

  it('08 near miss: "Did you mean …?" with a button that sends the command', async () => {
    const index = await sendAt('clear immutable judy.lee@contoso.com');
    const button = cards().nth(index).getByTitle('clear immutable id for judy.lee@contoso.com', { exact: true });
    expect(await button.isVisible()).toBe(true);
    expect(await visibleText(cards().nth(index))).not.toContain('What I can do');
    await page.getByText('Did you mean').last().waitFor();
    await screenshot('08-near-miss.png', 'clear immutable judy.lee@contoso.com');
    await button.click();
    await cards().nth(index + 1).waitFor({ state: 'visible' });
    const request = cards().nth(index + 1);
    expect(await visibleText(request)).toContain('Judy Lee');
    expect(await request.getByTitle('Confirm', { exact: true }).isVisible()).toBe(true);
  });

  const MATCH = 'match ivan@contoso.com to 35918bc9-196d-40ea-9779-889d79b753f0';
  let matchIndex = -1;
  it('09 hard match: current and new value as immutable ID and GUID; Approve sets it and offers Undo', async () => {
    matchIndex = await sendAt(MATCH);
    const card = cards().nth(matchIndex);
    const text = await visibleText(card);
    expect(text).toContain('Hard match: set the immutable ID?');
    expect(text).toContain('yYuRNW0Z6kCXeYidebdT8A==');
    expect(text).toContain('35918bc9-196d-40ea-9779-889d79b753f0');
    await card.getByTitle('Approve', { exact: true }).click();
    await page.waitForFunction(
      (index) => document.querySelectorAll('.ac-adaptiveCard')[index]?.textContent?.includes('Immutable ID set (hard match)'),
      matchIndex,
    );
    await page.getByText('Next steps for the hard match', { exact: false }).last().waitFor({ state: 'visible' });
    expect(await card.getByTitle('Undo', { exact: true }).isVisible()).toBe(true);
    expect((await sandboxUser(IVAN_ID)).onPremisesImmutableId).toBe('yYuRNW0Z6kCXeYidebdT8A==');
    await screenshot('09-hard-match.png', MATCH);
  });

  it('10 undo: the Undo button opens a request that writes the old value back once approved', async () => {
    expect(matchIndex).toBeGreaterThanOrEqual(0); // step 09 ran
    const before = await cards().count();
    await cards().nth(matchIndex).getByTitle('Undo', { exact: true }).click();
    const undoCard = cards().nth(before);
    await undoCard.waitFor({ state: 'visible' });
    expect(await visibleText(undoCard)).toContain('Undo the change?');
    await undoCard.getByTitle('Approve', { exact: true }).click();
    await page.waitForFunction((index) => document.querySelectorAll('.ac-adaptiveCard')[index]?.textContent?.includes('Change undone'), before);
    expect((await sandboxUser(IVAN_ID)).onPremisesImmutableId).toBeNull();
    await screenshot('10-undo.png', MATCH);
  });

  const BULK = 'clear immutable id for members of Forest move wave 1';
  it('11 bulk: one preview grouped by reason; Approve runs the job and the card ends with the counts', async () => {
    const index = await sendAt(BULK);
    const card = cards().nth(index);
    const text = await visibleText(card);
    expect(text).toContain('Nothing is written until an approver approves.');
    for (const reason of ['Still synced', 'Federated domain', 'Protected account', 'Already empty']) expect(text).toContain(reason);
    await screenshot('11-bulk-preview.png', BULK);
    await card.getByTitle('Approve', { exact: true }).click();
    await page.waitForFunction((i) => /Finished .*: 5 changed, 0 failed/.test(document.querySelectorAll('.ac-adaptiveCard')[i]?.textContent ?? ''), index, { timeout: 60_000 });
    await screenshot('12-bulk-finished.png', BULK);
  });

  it('stayed offline: only the CDN fonts were asked for, and blocked', () => {
    expect([...blockedHosts].filter((h) => !/\.cdn\.office\.net$/.test(h))).toEqual([]);
  });
});
