/** The server-extension check: missing (404), another version, or fine. */
import { nullTranslator } from '@jupyterlab/translation';

import { INb2ProdAPI, Nb2ProdRequestError } from '../api';
import { checkServer, FRONTEND_VERSION, problemText } from '../version';

import packageJson from '../../package.json';

function apiAnswering(version: () => Promise<string>): INb2ProdAPI {
  return { version } as unknown as INb2ProdAPI;
}

const trans = nullTranslator.load('nb2prod');

describe('server extension check', () => {
  it('the frontend version is package.json’s', () => {
    expect(FRONTEND_VERSION).toBe(packageJson.version);
  });

  it('is quiet when the versions match', async () => {
    expect(
      await checkServer(apiAnswering(async () => FRONTEND_VERSION))
    ).toBeNull();
  });

  it('says missing on 404 and how to enable it', async () => {
    const problem = await checkServer(
      apiAnswering(() =>
        Promise.reject(new Nb2ProdRequestError(404, 'Not Found'))
      )
    );
    expect(problem).toEqual({ kind: 'missing' });
    expect(problemText(problem!, trans).body).toContain(
      'jupyter server extension enable nb2prod'
    );
  });

  it('names both versions when they differ', async () => {
    const problem = await checkServer(apiAnswering(async () => '9.9.9'));
    expect(problem).toEqual({ kind: 'mismatch', server: '9.9.9' });
    const text = problemText(problem!, trans);
    expect(text.body).toContain(FRONTEND_VERSION);
    expect(text.body).toContain('9.9.9');
  });

  it('does not call an unreachable server a missing extension', async () => {
    expect(
      await checkServer(
        apiAnswering(() =>
          Promise.reject(new Nb2ProdRequestError(0, 'offline'))
        )
      )
    ).toBeNull();
  });
});
