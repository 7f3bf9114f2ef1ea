// The admin API client. The token lives in sessionStorage only: never in a URL, never logged.
const TOKEN_KEY = 'postclick.adminToken';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `request failed (${status})`);
    this.status = status;
    this.code = error?.code ?? 'error';
    this.field = error?.field ?? null;
  }
}

export async function api(method, path, body) {
  const headers = { authorization: `Bearer ${token.get() ?? ''}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`/admin/api${path}`, init);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (res.status === 401) {
    token.clear();
    window.dispatchEvent(new CustomEvent('postclick:signed-out'));
  }
  if (!res.ok) throw new ApiError(res.status, json?.error);
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
