import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { type OutcomeReason, outcomeOf } from '../../src/apply/outcome.js';
import { buildCheckReport } from '../../src/check/check-report.js';
import type { LeftSession } from '../../src/check/end-session.js';
import type { LinkHealth } from '../../src/check/types.js';
import type { DesiredDatabase, DesiredLink } from '../../src/config/types.js';
import { exitCodeFor, INTERRUPT_SIGNALS, interruptOf, listenForInterrupts } from '../../src/db/interrupts.js';
import { failureHint, renderCheckText, toCheckDocument } from '../../src/render/check-view.js';
import { outcomeWords } from '../../src/render/outcome-words.js';
import { renderOutcomes } from '../../src/render/outcomes.js';
import { WRAPPERS } from '../../src/wrappers/index.js';

const left: LeftSession = { pid: 4242, where: 'db.internal:5432/app', reason: 'still_running', state: 'active', waitEvent: null };

const stalled = { code: 'stalled', sqlstate: null, message: 'the local server did not answer within 2000ms', detail: null } as const;
const target = { host: 'mysql.internal', port: '3306', dbname: 'shop', user: 'shop' };

describe('signals', () => {
  it('exits 128 + the signal number: SIGHUP 129, SIGINT 130, SIGTERM 143', () => {
    expect(INTERRUPT_SIGNALS.map((signal) => [signal, exitCodeFor(signal)])).toStrictEqual([
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ]);
  });

  it('each of SIGINT, SIGTERM and SIGHUP aborts the run, the first one names it, and stop() gives the process its defaults back', () => {
    for (const signal of INTERRUPT_SIGNALS) {
      const before = process.listenerCount(signal);
      const interrupts = listenForInterrupts();
      expect(process.listenerCount(signal)).toBe(before + 1);
      process.emit(signal, signal);
      process.emit('SIGINT', 'SIGINT');
      expect(interrupts.signal.aborted).toBe(true);
      expect(interrupts.received()).toBe(signal);
      expect(interruptOf(interrupts.signal)).toBe(signal);
      interrupts.stop();
      expect(process.listenerCount(signal)).toBe(before);
    }
  });
});

describe("a wrapper's facts decide what bounds its connection, and what hints suggest", () => {
  it('a connect timeout a wrapper has is accepted by validate where the fact says to write it, and becomes the server option', () => {
    for (const wrapper of WRAPPERS) {
      const timeout = wrapper.serverConnection.connectTimeout;
      if (timeout === null) continue;
      if (timeout.setIn === 'server_options') {
        expect(Object.keys(wrapper.serverOptionTable), wrapper.fdw).toContain(timeout.option);
        continue;
      }
      const parsed = wrapper.parseUrl(`postgres://u:p@db.internal/app?${timeout.option}=${timeout.suggested}`);
      expect(parsed.ok, wrapper.fdw).toBe(true);
      if (!parsed.ok) continue;
      const link = { remote: { target: parsed.target }, serverOptions: {}, access: 'read' } as unknown as DesiredLink;
      expect(wrapper.serverOptions(link, 170000)[timeout.option]).toBe(String(timeout.suggested));
    }
  });

  it('mysql_fdw has no connect timeout (none of its versions takes one), and its URL refuses the parameter', () => {
    const mysql = WRAPPERS.find((wrapper) => wrapper.fdw === 'mysql_fdw');
    expect(mysql?.serverConnection).toStrictEqual({ interruptibleConnectSince: null, connectTimeout: null });
    expect(Object.keys(mysql?.serverOptionTable ?? {}).filter((name) => /timeout/.test(name))).toStrictEqual([]);
    expect(mysql?.parseUrl('mysql://u:p@db.internal/shop?connect_timeout=10').ok).toBe(false);
  });

  it('the hint for a stalled link suggests only what validate accepts for its wrapper', () => {
    for (const wrapper of WRAPPERS) {
      const hint = failureHint(stalled, target, 'shop', wrapper.fdw) ?? '';
      const suggested = /\?(\w+)=(\w+)/.exec(hint);
      if (wrapper.serverConnection.connectTimeout === null) {
        expect(suggested, wrapper.fdw).toBeNull();
        expect(hint).toContain(`${wrapper.fdw} has no connect timeout to set`);
      } else {
        expect(suggested, wrapper.fdw).not.toBeNull();
        const url = `${wrapper.fdw === 'mysql_fdw' ? 'mysql' : 'postgres'}://u:p@h/d?${suggested?.[1]}=${suggested?.[2]}`;
        expect(wrapper.parseUrl(url).ok, wrapper.fdw).toBe(true);
      }
    }
    expect(failureHint(stalled, target, 'shop', 'postgres_fdw')).toContain('postgres_fdw cannot before PostgreSQL 16');
  });
});

describe('a session datalinks could not end', () => {
  it('is named in the apply outcome with how to end it, and the outcome never says rolled back', () => {
    const reasons: OutcomeReason[] = [
      { code: 'interrupted', by: 'SIGTERM' },
      { code: 'link_unusable', links: [] },
      { code: 'statement_failed', link: 'shop', sqlstate: null, message: 'boom', detail: null, serverHint: null, statement: null },
    ];
    for (const reason of reasons) {
      const outcome = { ...outcomeOf('main', 0, reason), left };
      const text = renderOutcomes([outcome]);
      expect(text).not.toContain('rolled back');
      expect(text).toContain('nothing was committed, but its session is still open on the server (below)');
      expect(text).toContain(
        '    left running: session 4242 on db.internal:5432/app is still running (active): the server did not end it when asked',
      );
      expect(text).toContain('pg_stat_activity WHERE pid = 4242');
    }
    expect(outcomeWords(outcomeOf('main', 0, { code: 'interrupted', by: 'SIGHUP' })).message).toBe(
      'interrupted by SIGHUP: rolled back, nothing was applied',
    );
  });

  it('says how to end it when the role may not, or when it could not be asked', () => {
    const words = (reason: LeftSession['reason']) =>
      outcomeWords({ ...outcomeOf('main', 0, { code: 'interrupted', by: 'SIGINT' }), left: { ...left, reason } }).left;
    expect(words('not_permitted')?.hint).toContain('SELECT pg_terminate_backend(4242);');
    expect(words('not_verified')?.message).toBe(
      'session 4242 on db.internal:5432/app may still be running: datalinks could not connect to make sure it ended',
    );
  });

  it('is in check text and --json (left_session), which matches schemas/check.schema.json', () => {
    const database = {
      alias: 'main',
      target: { host: 'db.internal', port: '5432', dbname: 'app' },
      links: [{ name: 'shop' }],
    } as unknown as DesiredDatabase;
    const health: LinkHealth = {
      link: 'shop',
      fdw: 'mysql_fdw',
      state: 'unreachable',
      target,
      remoteVersion: null,
      remoteVersionNum: null,
      connectMs: null,
      rttMs: null,
      tablesChecked: 0,
      unreadable: [],
      failure: stalled,
      mappings: [],
    };
    const report = buildCheckReport(
      { configPath: 'datalinks.yaml', configHash: '', databases: [database] },
      { databases: [], summary: { create: 0, update: 0, destroy: 0 } },
      [{ alias: 'main', ok: true, links: [health], left }],
    );
    const text = renderCheckText(report);
    expect(text).toContain('  ! left running: session 4242 on db.internal:5432/app is still running (active)');
    expect(text).toContain('Check: 1 link: 0 ok, 1 broken, 0 drifted, 1 session left running (see above).');
    const json = toCheckDocument(report);
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(
      JSON.parse(readFileSync('schemas/check.schema.json', 'utf8')),
    );
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.databases[0]?.left_session).toMatchObject({
      pid: 4242,
      where: 'db.internal:5432/app',
      reason: 'still_running',
      state: 'active',
    });
  });
});
