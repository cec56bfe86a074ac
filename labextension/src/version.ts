/**
 * The frontend's version and the check that the server extension matches it: the most
 * common failure of split extensions is a server extension that is missing (not
 * enabled) or left at another version, so say it once, with the fix.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { INb2ProdAPI, Nb2ProdRequestError } from './api';

/** Kept equal to package.json's version (and nb2prod.__version__) by the tests. */
export const FRONTEND_VERSION = '0.1.0';

/** What is wrong between this frontend and the server, or null when they match. */
export type ServerProblem =
  { kind: 'missing' } | { kind: 'mismatch'; server: string } | null;

/** Ask the server for its version and compare; other errors (offline) are no problem to report. */
export async function checkServer(api: INb2ProdAPI): Promise<ServerProblem> {
  try {
    const server = await api.version();
    return server === FRONTEND_VERSION ? null : { kind: 'mismatch', server };
  } catch (error) {
    if (error instanceof Nb2ProdRequestError && error.status === 404) {
      return { kind: 'missing' };
    }
    return null;
  }
}

/** The dialog's title and body for a problem. */
export function problemText(
  problem: Exclude<ServerProblem, null>,
  trans: TranslationBundle
): { title: string; body: string } {
  if (problem.kind === 'missing') {
    return {
      title: trans.__('nb2prod server extension not found'),
      body: trans.__(
        'The nb2prod panel needs the nb2prod server extension, which this Jupyter server has not loaded. ' +
          'Install nb2prod in the environment that runs JupyterLab (pip install nb2prod), ' +
          'or enable it with "jupyter server extension enable nb2prod", then restart JupyterLab.'
      )
    };
  }
  return {
    title: trans.__('nb2prod versions differ'),
    body: trans.__(
      'The nb2prod panel is version %1 but the server extension is version %2. ' +
        'Install one nb2prod in the environment that runs JupyterLab (pip install --upgrade nb2prod), ' +
        'then restart JupyterLab and reload this page.',
      FRONTEND_VERSION,
      problem.server
    )
  };
}
