import type { Command } from 'commander';
import { printTable } from '../cli/commands/_client.js';
import { runDoctor } from './doctor.js';

const MARK = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: '-' } as const;

/** `feishu-hub doctor`: what is wrong with this installation and what to do, exit 1 when something must be fixed. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the config, the app credentials and token, the app\'s scopes (and the least set to request), the event and card URLs, the encrypt key, the database, Redis and the clock; says what to fix')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const report = await runDoctor();
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else {
        printTable(
          ['', 'CHECK', 'FOUND'],
          report.checks.map((c) => [MARK[c.status], c.title, c.detail]),
          80,
        );
        // The whole finding and what to do, uncut, for each problem.
        for (const c of report.checks.filter((x) => x.status === 'fail' || x.status === 'warn')) {
          console.log(`\n${MARK[c.status]}  ${c.title}\n  found:      ${c.detail}${c.fix ? `\n  what to do: ${c.fix}` : ''}`);
        }
        if (report.scopes?.least.length) {
          console.log('\nScopes to request for the enabled capabilities (the least set; Permissions & Scopes in the developer console):');
          for (const l of report.scopes.least) console.log(`  ${l.scope}${l.sensitive ? "  (needs an admin's approval)" : ''}\n      for ${l.for.join('; ')}`);
        }
        const failed = report.checks.filter((c) => c.status === 'fail').length;
        const warned = report.checks.filter((c) => c.status === 'warn').length;
        console.log(`\n${failed ? `${failed} problem(s) to fix` : 'nothing to fix'}${warned ? `, ${warned} warning(s)` : ''}.`);
      }
      if (!report.ok) process.exitCode = 1;
    });
}
