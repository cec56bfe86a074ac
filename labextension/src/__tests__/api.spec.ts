/** The API client: URLs, methods, bodies and error answers, against a mocked ServerConnection. */
import { ServerConnection } from '@jupyterlab/services';

import { Nb2ProdAPI, Nb2ProdRequestError, requestAPI } from '../api';

const settings = ServerConnection.makeSettings({
  baseUrl: 'http://localhost:8888/user/ana/'
});

function answer(status: number, body: unknown): Response {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: status === 404 ? 'Not Found' : '',
    text: async () => text
  } as unknown as Response;
}

describe('requestAPI', () => {
  let makeRequest: jest.SpyInstance;

  beforeEach(() => {
    makeRequest = jest.spyOn(ServerConnection, 'makeRequest');
  });

  afterEach(() => {
    makeRequest.mockRestore();
  });

  it('calls the namespaced endpoint under the base URL with the app settings', async () => {
    makeRequest.mockResolvedValue(answer(200, { version: '0.1.0' }));
    const api = new Nb2ProdAPI(settings);
    expect(await api.version()).toBe('0.1.0');
    const [url, init, used] = makeRequest.mock.calls[0];
    expect(url).toBe('http://localhost:8888/user/ana/nb2prod/version');
    expect(init).toEqual({});
    expect(used).toBe(settings);
  });

  it('posts lint requests as JSON, unsaved notebook included', async () => {
    makeRequest.mockResolvedValue(answer(200, { version: 1, findings: [] }));
    const notebook = {
      cells: [],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    };
    await new Nb2ProdAPI(settings).lint({ path: 'a b/n.ipynb', notebook });
    const [url, init] = makeRequest.mock.calls[0];
    expect(url).toBe('http://localhost:8888/user/ana/nb2prod/lint');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual({ path: 'a b/n.ipynb', notebook });
  });

  it('encodes the runs query and leaves out empty parameters', async () => {
    makeRequest.mockResolvedValue(
      answer(200, { runs: [], next_page_token: null })
    );
    await new Nb2ProdAPI(settings).runs('work/a b&c.ipynb', 5);
    const [url, init] = makeRequest.mock.calls[0];
    expect(url).toBe(
      'http://localhost:8888/user/ana/nb2prod/runs?path=work%2Fa%20b%26c.ipynb&max_results=5'
    );
    expect(init.method).toBe('GET');
  });

  it("asks for a notebook's registered models by its path", async () => {
    makeRequest.mockResolvedValue(
      answer(200, { models: [], unavailable: null })
    );
    const found = await new Nb2ProdAPI(settings).models('work/a b.ipynb');
    expect(found).toEqual({ models: [], unavailable: null });
    const [url, init] = makeRequest.mock.calls[0];
    expect(url).toBe(
      'http://localhost:8888/user/ana/nb2prod/models?path=work%2Fa%20b.ipynb'
    );
    expect(init.method).toBe('GET');
  });

  it('posts export requests with their flags', async () => {
    makeRequest.mockResolvedValue(
      answer(200, { name: 'pkg', target: 'build/pkg', files: [], plan: {} })
    );
    await new Nb2ProdAPI(settings).export({ path: 'n.ipynb', dry_run: true });
    const [url, init] = makeRequest.mock.calls[0];
    expect(url).toBe('http://localhost:8888/user/ana/nb2prod/export');
    expect(JSON.parse(init.body)).toEqual({ path: 'n.ipynb', dry_run: true });
  });

  it('raises the server message, hint and status on an error answer', async () => {
    makeRequest.mockResolvedValue(
      answer(422, {
        message: 'cell 7: predict needs `rates`',
        hint: 'tag the cell that defines it',
        exit_code: 2
      })
    );
    const error = await new Nb2ProdAPI(settings)
      .export({ path: 'n.ipynb' })
      .catch(e => e);
    expect(error).toBeInstanceOf(Nb2ProdRequestError);
    expect(error.status).toBe(422);
    expect(error.message).toBe('cell 7: predict needs `rates`');
    expect(error.hint).toBe('tag the cell that defines it');
  });

  it('raises with the status text when the answer is not JSON (404 of a missing extension)', async () => {
    makeRequest.mockResolvedValue(answer(404, ''));
    const error = await requestAPI<never>(settings, 'version').catch(e => e);
    expect(error).toBeInstanceOf(Nb2ProdRequestError);
    expect(error.status).toBe(404);
    expect(error.message).toBe('Not Found');
  });

  it('raises status 0 when the server cannot be reached', async () => {
    makeRequest.mockRejectedValue(new TypeError('Failed to fetch'));
    const error = await requestAPI<never>(settings, 'config').catch(e => e);
    expect(error).toBeInstanceOf(Nb2ProdRequestError);
    expect(error.status).toBe(0);
    expect(error.message).toContain('Failed to fetch');
  });
});
