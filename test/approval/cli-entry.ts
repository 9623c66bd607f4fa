// `feishu-hub` with the approval commands, for test/approval/cli.test.ts while the approval
// capability does not register them yet (once it does, the test runs bin/feishu-hub.js itself).
import { buildProgram } from '../../src/cli/index.js';
import { registerApprovalCommands } from '../../src/approval/cli.js';

const program = buildProgram();
if (!program.commands.some((c) => c.name() === 'approval')) registerApprovalCommands(program);
await program.parseAsync(process.argv).catch((err: Error) => {
  console.error(`feishu-hub: ${err.message}`);
  process.exit(1);
});
