/**
 * A hint never names a command or a flag that does not exist: every `impress …` command line
 * quoted in src/ (hints, messages, help examples) is checked against the oclif manifest, and so
 * is every --flag a source file names next to it.
 */
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, {char?: string; allowNo?: boolean}>}>}
const flagNames = (flags: Record<string, {allowNo?: boolean}>): string[] => Object.entries(flags).flatMap(([name, f]) => (f.allowNo ? [name, `no-${name}`] : [name]))
const commands = new Map(Object.entries(manifest.commands).map(([id, c]) => [id.replace(/:/g, ' '), new Set([...flagNames(c.flags), 'help'])]))
const topics = new Set([...commands.keys()].flatMap((id) => id.split(' ').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join(' '))))
const everyFlag = new Set([...commands.values()].flatMap((f) => [...f]))

function sources(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []))
}

interface Mention {
  file: string
  text: string
}

/** The text of every string literal and template of a source file (a template's ${…} parts as X). */
function literals(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true)
  const out: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text)
    else if (ts.isTemplateExpression(node)) out.push([node.head.text, ...node.templateSpans.map((s) => `X${s.literal.text}`)].join(''))
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return out
}

/** Command lines a string quotes in backticks (`impress aurora rollback --resume`, `firebase backup --resume`), and help examples. */
export function mentions(file: string, strings: string[]): Mention[] {
  const out: Mention[] = []
  for (const text of strings) {
    if (text.startsWith('<%= config.bin %> ')) out.push({file, text})
    for (const m of text.matchAll(/`([^`]+)`/g)) {
      const line = m[1].trim()
      if (/^(npx )?impress( |$)/.test(line) || topics.has(line.split(' ')[0]) || commands.has(line.split(' ')[0])) out.push({file, text: line})
    }
  }
  return out
}

/** The command a line names (longest id that prefixes it) and the flags it passes. */
export function resolve(line: string): {command?: string; flags: string[]; words: string[]} {
  const words = line
    .replace(/^(npx )?(impress|<%= config\.bin %>)( |$)/, '')
    .replace(/\$\{[^}]*\}/g, 'X')
    .split(/\s+/)
    .filter(Boolean)
  const positional = words.filter((w) => /^[a-z][a-z-]*$/.test(w))
  let command: string | undefined
  for (let n = positional.length; n > 0; n--) {
    const id = positional.slice(0, n).join(' ')
    if (words.slice(0, n).join(' ') === id && commands.has(id)) {
      command = id
      break
    }
  }
  const flags = words.filter((w) => /^--[a-z]/.test(w)).map((w) => w.replace(/^--/, '').replace(/[=.,;:)].*$/, ''))
  return {command, flags, words}
}

const files = sources(path.join(ROOT, 'src'))
const literalsOf = new Map(files.map((f) => [f, literals(f, fs.readFileSync(f, 'utf8'))]))
const all = files.flatMap((f) => mentions(path.relative(ROOT, f), literalsOf.get(f)!))

describe('hints and examples name real commands and flags', () => {
  it('finds the command lines quoted in src/ (the walk itself works)', () => {
    if (process.env.DUMP_HINTS) console.log(all.map((m) => `${m.file}: ${m.text}`).join("\n"))
    expect(all.length).toBeGreaterThan(100)
    expect(resolve('impress aurora rollback --resume')).toMatchObject({command: 'aurora rollback', flags: ['resume']})
    expect(resolve('impress lambda prune pdf --dry-run')).toMatchObject({command: 'lambda prune', flags: ['dry-run']})
  })

  it('every quoted command exists and every flag it passes is one of that command\'s flags', () => {
    const bad: string[] = []
    for (const m of all) {
      const {command, flags, words} = resolve(m.text)
      if (words.length === 0 || words[0].startsWith('-')) {
        // `impress --version`, `impress -h`: top-level flags.
        for (const f of flags) if (!['version', 'help'].includes(f)) bad.push(`${m.file}: \`${m.text}\`: no top-level flag --${f}`)
        continue
      }
      if (!command) {
        if (topics.has(words[0]) && words.length === 1) continue // a topic (`impress sandbox`)
        if (words[0] === 'help') continue
        bad.push(`${m.file}: \`${m.text}\`: no such command`)
        continue
      }
      for (const f of flags) if (!commands.get(command)!.has(f)) bad.push(`${m.file}: \`${m.text}\`: ${command} has no flag --${f}`)
    }
    expect(bad).toEqual([])
  })

  it('every --flag a message or hint names exists on some command', () => {
    // Flags of other tools that messages legitimately name.
    const foreign = new Set(['endpoint-url', 'profile', 'resume-from', 'help', 'no-audit', 'no-fund', 'headless', 'print-to-pdf', 'resolve', 'prebuilt'])  // + curl --resolve, vercel deploy --prebuilt
    const bad: string[] = []
    for (const f of files) {
      for (const text of literalsOf.get(f)!) {
        if (/^--[\w-]+(=\S*)?$/.test(text)) continue // an argv element of another program (git --porcelain, node --expose-gc)
        if (/var\(--|--[\w-]+:\s/.test(text)) continue // CSS custom properties in a report's style sheet
        for (const flag of text.matchAll(/(?<![\w-])--([a-z][a-z-]*[a-z])/g)) {
          if (!everyFlag.has(flag[1]) && !foreign.has(flag[1])) bad.push(`${path.relative(ROOT, f)}: names --${flag[1]}: "${text.slice(0, 160)}"`)
        }
      }
    }
    expect(bad).toEqual([])
  })
})
