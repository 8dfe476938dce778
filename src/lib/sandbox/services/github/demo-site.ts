/**
 * The demo frontend repository `impress/impress-web`: the source on `main`, and the deploy
 * branch `gh-pages` holding three past deploys made by `impress frontend deploy` (their
 * messages carry its trailers), served by GitHub Pages as www.impress.example with HTTPS
 * enforced.
 */
import {deployMessage} from '../../../frontend/message.js'
import {buildTree, putBlob, putCommit, type FlatEntry, type GitPerson, type GitRepo, type ReposState} from './git.js'

export const DEMO_WEB_REPO = {owner: 'impress', name: 'impress-web'}
export const DEMO_DEPLOY_BRANCH = 'gh-pages'
export const DEMO_PAGES_CNAME = 'www.impress.example'

const DAY = 86_400_000

function files(repo: GitRepo, map: Record<string, string>): Map<string, FlatEntry> {
  return new Map(Object.entries(map).map(([p, text]) => [p, {mode: '100644', type: 'blob', sha: putBlob(repo, Buffer.from(text))} satisfies FlatEntry]))
}

function page(version: string, extra = ''): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>IMPRESS</title><link rel="stylesheet" href="/assets/app.css"></head>\n<body><div id="app" data-version="${version}"></div>${extra}<script src="/assets/app.js"></script></body></html>\n`
}

export function demoRepos(now = Date.now()): ReposState {
  const repo: GitRepo = {owner: DEMO_WEB_REPO.owner, name: DEMO_WEB_REPO.name, private: true, defaultBranch: 'main', objects: {}, refs: {}}
  const at = (daysAgo: number) => new Date(Math.floor((now - daysAgo * DAY) / 1000) * 1000).toISOString().replace('.000Z', 'Z')
  const person = (name: string, email: string, daysAgo: number): GitPerson => ({name, email, date: at(daysAgo)})

  // The source history on main: three commits, each the source of one deploy.
  const sources: string[] = []
  let parent: string | undefined
  for (const [i, v] of ['1.0.0', '1.1.0', '1.2.0'].entries()) {
    const tree = buildTree(repo, files(repo, {'package.json': `{"name":"impress-web","version":"${v}"}\n`, 'src/main.ts': `export const version = '${v}'\n`, 'README.md': '# impress-web\n\nThe IMPRESS application shell.\n'}))
    const who = i === 1 ? person('Dave', 'dave@impress.example', 12 - i * 4) : person('Alice', 'alice@impress.example', 12 - i * 4)
    parent = putCommit(repo, {tree, parents: parent ? [parent] : [], author: who, committer: who, message: `Release ${v}\n`})
    sources.push(parent)
  }
  repo.refs['refs/heads/main'] = parent!

  // gh-pages: the built files of each release, deployed a day after it.
  const css = 'body{font-family:system-ui;margin:0}\n'
  const builds: Record<string, string>[] = [
    {'index.html': page('1.0.0'), 'assets/app.js': 'console.log("impress 1.0.0")\n', 'assets/app.css': css, CNAME: `${DEMO_PAGES_CNAME}\n`, '.nojekyll': ''},
    {'index.html': page('1.1.0'), 'assets/app.js': 'console.log("impress 1.1.0")\n', 'assets/app.css': css, '404.html': page('1.1.0', '<p>Not found</p>'), CNAME: `${DEMO_PAGES_CNAME}\n`, '.nojekyll': ''},
    {'index.html': page('1.2.0'), 'assets/app.js': 'console.log("impress 1.2.0")\n', 'assets/app.css': 'body{font-family:system-ui;margin:0;color:#222}\n', '404.html': page('1.2.0', '<p>Not found</p>'), CNAME: `${DEMO_PAGES_CNAME}\n`, '.nojekyll': ''},
  ]
  const deployers = [['Alice', 'alice@impress.example', 'alice@ops-laptop'], ['Dave', 'dave@impress.example', 'dave@build-01'], ['Alice', 'alice@impress.example', 'alice@ops-laptop']]
  let head: string | undefined
  for (const [i, build] of builds.entries()) {
    const [name, email, deployedBy] = deployers[i]
    const who = person(name, email, 11 - i * 4)
    const tree = buildTree(repo, files(repo, build))
    const message = deployMessage(`Deploy impress-web ${sources[i].slice(0, 7)}`, {kind: 'deploy', deployedBy, sourceCommit: sources[i]})
    head = putCommit(repo, {tree, parents: head ? [head] : [], author: who, committer: who, message})
  }
  repo.refs[`refs/heads/${DEMO_DEPLOY_BRANCH}`] = head!
  repo.pages = {cname: DEMO_PAGES_CNAME, httpsEnforced: true, source: {branch: DEMO_DEPLOY_BRANCH, path: '/'}, public: true}
  return {repos: [repo]}
}
