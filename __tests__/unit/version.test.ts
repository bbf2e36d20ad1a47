import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { VERSION } from '../../packages-shared/version.js'

test("VERSION equals package.json's version", () => {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json')
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }
  expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/)
  expect(VERSION).toBe(pkg.version)
})
