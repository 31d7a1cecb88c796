/**
 * The README's picture of a blocked pull request is the drawing of the check run the App demo
 * recorded (docs/blocked-pull-request.json); test/e2e/demo.test.ts holds that record to what the
 * demo writes today. `npm run picture` regenerates both.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain ES module script without types
import { PICTURE_PATH, RECORD_PATH, renderCheckRunPicture } from "../../scripts/check-run-picture.mjs";

const record = JSON.parse(readFileSync(RECORD_PATH as string, "utf8")) as { check_run: { conclusion: string; actions: { label: string }[]; annotations: unknown[] } };

describe("docs/blocked-pull-request.svg", () => {
  it("is the drawing of the recorded check run (run `npm run picture` when this fails)", () => {
    expect(readFileSync(PICTURE_PATH as string, "utf8")).toBe((renderCheckRunPicture as (r: unknown) => string)(record));
  });

  it("shows a held pull request: action required, the Sign off button, the annotations", () => {
    expect(record.check_run.conclusion).toBe("action_required");
    expect(record.check_run.actions.map((a) => a.label)).toEqual(["Sign off"]);
    expect(record.check_run.annotations.length).toBeGreaterThan(0);
    const svg = readFileSync(PICTURE_PATH as string, "utf8");
    expect(svg).toContain("Action required");
    expect(svg).toContain("Sign off");
  });
});
