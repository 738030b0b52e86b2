// `--only <env>[,<env>...]`: the subset of the environment files the main job synthesizes (a
// pipeline plans one environment per job). Every file is still loaded and validated, so the checks
// that span files (unique vault and resource group names) hold for the subset too.
import { LoadedEnvironment } from "../config/load-environments";

/** Thrown when `--only` names an environment no file defines; nothing was written. */
export class UnknownEnvironmentError extends Error {
  constructor(
    /** The names asked for that no environment file defines. */
    public readonly unknown: readonly string[],
    /** The names the environment files do define. */
    public readonly known: readonly string[],
  ) {
    super(
      `--only names ${unknown.length === 1 ? "an environment" : "environments"} no file defines: ${unknown.join(", ")}. ` +
        `The environment files define: ${known.length > 0 ? known.join(", ") : "(none)"}; ` +
        `pass one of those (comma-separated for several), or add environments/<name>.yaml first.`,
    );
    this.name = "UnknownEnvironmentError";
  }
}

/**
 * The environments named in `only`, in file order; every environment when `only` is undefined.
 * Throws an {@link UnknownEnvironmentError} naming every unknown name (none is skipped silently).
 */
export function selectEnvironments(loaded: readonly LoadedEnvironment[], only: readonly string[] | undefined): LoadedEnvironment[] {
  if (only === undefined) return [...loaded];
  const known = loaded.map((l) => l.environment.name);
  const unknown = [...new Set(only)].filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UnknownEnvironmentError(unknown, known);
  return loaded.filter((l) => only.includes(l.environment.name));
}
