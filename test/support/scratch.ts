// Output folders for apps that tests build but never synthesize. cdktf's App creates its outdir
// when it is constructed, so a relative name ("never-synthesized") left an empty folder in the
// working tree after every run; this one is under the system's temporary folder.
import * as os from "os";
import * as path from "path";

/** An outdir for `new App({ outdir })` in tests that never call `app.synth()`: outside the repository. */
export const NEVER_SYNTHESIZED = path.join(os.tmpdir(), "azure-kms-host-never-synthesized");
