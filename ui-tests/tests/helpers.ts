/** What the Galata specs share: notebooks copied into the test's folder, the panel. */
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as path from 'path';

export const EXAMPLES = path.resolve(__dirname, '..', '..', 'example_notebooks');
export const SHOTS = path.resolve(__dirname, '..', '..', 'test-output', 'ui');

/** Copy an example notebook into the test's own folder and open it. */
export async function openExample(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string
): Promise<string> {
  const target = `${tmpPath}/${name}`;
  await page.contents.uploadFile(path.join(EXAMPLES, name), target);
  await page.notebook.openByPath(target);
  await page.notebook.activate(name);
  return target;
}

/** A code cell with a fixed id (not yet run unless given outputs). */
export function codeCell(id: string, source: string, outputs: unknown[] = []) {
  return {
    id,
    cell_type: 'code',
    metadata: {},
    outputs,
    execution_count: outputs.length ? 1 : null,
    source
  };
}

/** Write a Python notebook of ``cells`` into the test's own folder and open it. */
export async function openNewNotebook(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string,
  cells: ReturnType<typeof codeCell>[]
): Promise<string> {
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' }
    },
    cells
  };
  const target = `${tmpPath}/${name}`;
  await page.contents.uploadContent(JSON.stringify(notebook), 'text', target);
  await page.notebook.openByPath(target);
  await page.notebook.activate(name);
  return target;
}

/** Drag the split handle left of the right side bar, for readable screenshots. */
export async function widenPanel(page: IJupyterLabPageFixture, by: number) {
  const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle:visible').last();
  const box = await handle.boundingBox();
  if (!box) {
    return;
  }
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x - by, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

export async function openPanel(page: IJupyterLabPageFixture) {
  if (!(await page.sidebar.isTabOpen('nb2prod-panel'))) {
    await page.sidebar.openTab('nb2prod-panel');
  }
  await expect(page.locator('#nb2prod-panel')).toBeVisible();
}

export async function readNotebook(page: IJupyterLabPageFixture, apiPath: string) {
  const response = await page.request.get(`/api/contents/${apiPath}?content=1`);
  expect(response.ok()).toBeTruthy();
  return (await response.json()).content;
}

/**
 * Make ``folder`` look like nb2prod's export of ``notebook`` (its provenance.json records
 * the notebook relative to the project root, here the test's folder).
 */
export async function fakeExport(
  page: IJupyterLabPageFixture,
  folder: string,
  notebook: string
): Promise<void> {
  const name = folder.split('/').pop();
  await page.contents.uploadContent(
    JSON.stringify({ notebook, notebook_sha256: '0' }),
    'text',
    `${folder}/src/${name}/provenance.json`
  );
  await page.contents.uploadContent('[project]\n', 'text', `${folder}/pyproject.toml`);
}
