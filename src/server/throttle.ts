/**
 * Probot throttles each client's writes (POST/PATCH/PUT/DELETE: one at a time, a second apart, as
 * GitHub's guidance for content-creating requests asks) in a limiter keyed by `throttle.id`.
 * `app.auth(installationId)` sets that id to the installation, but the client Probot hands a
 * webhook handler is built without one (octokit-auth-probot's event factory keeps the base
 * options), so every installation of a process shares the key "no-id" — with Redis, every
 * installation of every replica: one write a second for the whole deployment. This keys the
 * limiter by installation again, so one busy repository cannot hold up the others.
 */
interface ThrottleOptions {
  enabled?: boolean;
  id?: string;
  [key: string]: unknown;
}

/** For `ProbotOctokit.defaults(...)`: the options of a client, with its installation as the throttle key. */
export function throttlePerInstallation<T extends { auth?: unknown; throttle?: ThrottleOptions }>(options: T): T {
  const installationId = (options.auth as { installationId?: unknown } | undefined)?.installationId;
  if (installationId === undefined || installationId === null || options.throttle?.enabled === false) return options;
  if (options.throttle?.id !== undefined && options.throttle.id !== "no-id") return options;
  return { ...options, throttle: { ...options.throttle, id: `installation-${String(installationId)}` } };
}
