// Packs from an address: `/?pack=URL` opens a team's pack without rebuilding the app, checks
// its lessons as `opsdojo lessons check` does, and keeps its progress apart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";
import { zipSync, strToU8 } from "fflate";

const fixtures = new URL("./fixtures/team-pack/", import.meta.url);
let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

/** Serves the fixture pack at /team/onboarding/ on the app's origin. */
async function servePack(page) {
  await page.route((url) => url.pathname.startsWith("/team/onboarding/"), (route) => {
    const name = new URL(route.request().url()).pathname.split("/").pop();
    try {
      route.fulfill({ status: 200, contentType: "text/plain", body: readFileSync(new URL(name, fixtures), "utf8") });
    } catch {
      route.fulfill({ status: 404, body: "not found" });
    }
  });
}

test("a pack opened from an address is listed, checked, played, and its progress kept apart", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "packs-url", async () => {
    await servePack(page);
    await page.goto(env.base + "/?pack=/team/onboarding/pack.yaml");
    const section = page.locator('[data-testid="external-pack"]');
    await section.locator("h2", { hasText: "Our team's onboarding" }).waitFor();
    assert.match(await section.locator(".pack-source").innerText(), /\/team\/onboarding\/pack\.yaml/);
    // The broken lesson says which file, which line, and why, as lessons check does.
    const broken = section.locator(".lesson-card-broken");
    assert.match(await broken.innerText(), /unsolved\.md:\d+:\d+: error: the reference solution does not meet objective `scale-users`/);
    // The shipped packs are still there, below.
    await page.locator('[data-pack="basics"]').waitFor();
    await shot(page, "packs-url-catalog");

    await section.locator('[data-lesson="scale-dev"] a.button').click();
    await page.locator('[data-testid="lesson"][data-lesson="scale-dev"]').waitFor();
    assert.match(page.url(), /\/lessons\/team-onboarding\.[0-9a-f]{8}\/scale-dev\?pack=/);
    await page.click('[data-testid="clock-step"]');
    await page.waitForTimeout(1200);
    const keys = await page.evaluate(() => Object.keys(JSON.parse(localStorage.getItem("opsdojo.progress")).lessons));
    assert.ok(keys.some((k) => /^team-onboarding\.[0-9a-f]{8}\/scale-dev$/.test(k)), `progress per pack origin: ${keys}`);
    // A reload opens the same lesson from the same address, where the learner left it.
    const clock = await page.locator('[data-testid="clock-now"]').innerText();
    await page.reload();
    await page.locator('[data-testid="lesson"][data-lesson="scale-dev"]').waitFor();
    assert.notEqual(await page.locator('[data-testid="lesson"]').getAttribute("data-restored"), "start");
    assert.equal(await page.locator('[data-testid="clock-now"]').innerText(), clock);
    assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
  });
  await context.close();
});

test("a pack from another site or a missing one is refused with a message on the catalog", async () => {
  const { page, context } = await newPage(env.browser);
  await withFailureShot(page, "packs-refused", async () => {
    await page.goto(env.base + "/?pack=" + encodeURIComponent("https://packs.example.test/pack.yaml"));
    const refused = page.locator('[data-testid="external-pack"] [role="alert"]');
    assert.match(await refused.innerText(), /opened from this site only/);
    await page.locator('[data-pack="basics"]').waitFor();
    await page.goto(env.base + "/?pack=/team/nowhere/pack.yaml");
    assert.match(await page.locator('[data-testid="external-pack"] [role="alert"]').innerText(), /nowhere\/pack\.yaml/);
  });
  await context.close();
});

test("a pack opened from a folder is read in the browser, checked, kept for reloads, and closed", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "packs-folder", async () => {
    await page.goto(env.base + "/");
    await page.locator('[data-pack="basics"]').waitFor();
    await page.locator('[data-testid="pack-folder"]').setInputFiles(new URL(".", fixtures).pathname);
    const section = page.locator('[data-testid="external-pack"]');
    await section.locator("h2", { hasText: "Our team's onboarding" }).waitFor();
    assert.match(await section.locator(".pack-source").innerText(), /team-pack\//);
    assert.match(
      await section.locator(".lesson-card-broken").innerText(),
      /team-pack\/unsolved\.md:\d+:\d+: error: the reference solution does not meet objective `scale-users`/,
    );
    await shot(page, "packs-folder-catalog");
    await section.locator('[data-lesson="scale-dev"] a.button').click();
    await page.locator('[data-testid="lesson"][data-lesson="scale-dev"]').waitFor();
    assert.match(page.url(), /\/lessons\/team-onboarding\.[0-9a-f]{8}\/scale-dev\?folder$/);
    await page.reload();
    await page.locator('[data-testid="lesson"][data-lesson="scale-dev"]').waitFor();
    // Back on the catalog, the folder is still open until closed.
    await page.goto(env.base + "/");
    await section.locator("h2", { hasText: "Our team's onboarding" }).waitFor();
    await page.click('[data-testid="close-folder"]');
    await page.waitForTimeout(300);
    assert.equal(await section.count(), 0);
    await page.reload();
    await page.locator('[data-pack="basics"]').waitFor();
    await page.waitForTimeout(500);
    assert.equal(await section.count(), 0);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a pack opened from a zip is unpacked in the browser and checked like a folder; a zip bomb is refused", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "packs-zip", async () => {
    await page.goto(env.base + "/");
    await page.locator('[data-pack="basics"]').waitFor();
    const files = {};
    for (const name of ["pack.yaml", "scale-dev.md", "unsolved.md"]) {
      files[`team-pack/${name}`] = strToU8(readFileSync(new URL(name, fixtures), "utf8"));
    }
    files["team-pack/logo.png"] = new Uint8Array([137, 80, 78, 71]);
    const archive = Buffer.from(zipSync(files));
    await page.locator('[data-testid="pack-zip"]').setInputFiles({ name: "team-pack.zip", mimeType: "application/zip", buffer: archive });
    const section = page.locator('[data-testid="external-pack"]');
    await section.locator("h2", { hasText: "Our team's onboarding" }).waitFor();
    assert.match(
      await section.locator(".lesson-card-broken").innerText(),
      /team-pack\/unsolved\.md:\d+:\d+: error: the reference solution does not meet objective `scale-users`/,
    );
    await section.locator('[data-lesson="scale-dev"] a.button').click();
    await page.locator('[data-testid="lesson"][data-lesson="scale-dev"]').waitFor();
    await page.goto(env.base + "/");
    await section.locator("h2", { hasText: "Our team's onboarding" }).waitFor();
    await page.click('[data-testid="close-folder"]');
    // A small archive that would unpack to 9 MB is refused before anything is unpacked.
    const bomb = Buffer.from(zipSync({ "bomb/pack.yaml": new Uint8Array(9 * 1024 * 1024) }, { level: 9 }));
    assert.ok(bomb.length < 100_000, `the bomb is small: ${bomb.length}`);
    await page.locator('[data-testid="pack-zip"]').setInputFiles({ name: "bomb.zip", mimeType: "application/zip", buffer: bomb });
    await page.locator('[data-testid="folder-error"]').filter({ hasText: "unpacks to more than 8 MB" }).waitFor();
    await page.locator('[data-testid="pack-zip"]').setInputFiles({ name: "broken.zip", mimeType: "application/zip", buffer: Buffer.from("not a zip") });
    await page.locator('[data-testid="folder-error"]').filter({ hasText: "the archive cannot be read" }).waitFor();
    assert.deepEqual(errors, []);
  });
  await context.close();
});
