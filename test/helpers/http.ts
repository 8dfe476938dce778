/** JSON over HTTP for tests (sandbox control endpoints). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJson(url: string, init?: RequestInit): Promise<any> {
  const r = await fetch(url, init)
  return r.json()
}
