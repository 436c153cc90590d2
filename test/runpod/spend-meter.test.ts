// The spend meter over real SQLite (migration 10): session spend integrates each pod's rate
// between reads, a forgotten (terminated) pod adds nothing more, the month survives a restart.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/open-database';
import { SpendMeter } from '../../src-main/runpod/spend-meter';
import { tempDir } from '../helpers/studio';

describe('SpendMeter', () => {
  it('integrates $/h over the time between reads and keeps the month in the database', () => {
    const file = path.join(tempDir('flux-spend-'), 'studio.db');
    const db = openDatabase(file);
    let now = Date.parse('2026-12-04T10:00:00Z');
    const meter = new SpendMeter(db, () => now);
    meter.observe('a', 2); // $2/h
    meter.observe('b', 0.5);
    now += 30 * 60_000;
    meter.observe('a', 0); // stopped after half an hour: $1
    meter.observe('b', 0.5); // $0.25
    expect(meter.sessionUsd('a')).toBeCloseTo(1, 9);
    expect(meter.sessionUsd()).toBeCloseTo(1.25, 9);
    now += 60 * 60_000;
    meter.observe('a', 0); // stopped: nothing more
    meter.forget('b'); // terminated after another hour: +$0.5, then nothing
    now += 60 * 60_000;
    meter.forget('b');
    expect(meter.sessionUsd()).toBeCloseTo(1.75, 9);
    expect(meter.monthUsd()).toBeCloseTo(1.75, 9);
    db.close();

    const again = openDatabase(file);
    const next = new SpendMeter(again, () => now);
    expect(next.sessionUsd()).toBe(0);
    expect(next.monthUsd()).toBeCloseTo(1.75, 9);
    expect(next.monthUsd(Date.parse('2027-01-02T00:00:00Z'))).toBe(0);
    again.close();
  });
});
