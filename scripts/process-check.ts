/**
 * `npm run process:check`: validates the process file and the org file together, then prints the dry run for a
 * sample project — every step in order and who would hold it.
 *
 *   npm run process:check -- --kind project --region north --signed no --paid no --operated yes --cloud no \
 *     --answer requirements.customization=in_contract,out_of_contract --answer requirements.integration=yes
 *
 * Files: `--process PATH` (or PROCESS_FILE; default processes/standard.yaml), `--org PATH` (or ORG_FILE; default
 * org.example.yaml). Exit 1 on any error in either file or in the arguments. People given by e-mail/mobile are listed
 * with what the platforms answered so far (`--db PATH`, else DATABASE_PATH, else ./data/handoff.db; read-only).
 * The work is done in process-check-run.ts.
 */
import { runProcessCheck } from './process-check-run';

process.exitCode = runProcessCheck({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
