/**
 * `tsx scripts/consumer-lock.ts <app dir> <tarball>` writes the consumer test app's
 * `package-lock.json`, cut from this repository's: the package (the tarball) with its
 * dependencies, and the app's own dependencies (package.json of the app dir), each at the
 * version the repository is tested with, with its resolved URL and integrity. So
 * `npm ci --offline` needs no registry metadata, only tarballs that the repository's
 * `npm ci` put in the npm cache.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

interface Manifest {
  name: string;
  version: string;
  license?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/**
 * The lock entries (by lock path) of `roots` and everything they need, taken from `repo`
 * (the `packages` of a lock file), following Node's lookup: `node_modules/a/node_modules/b`
 * before `node_modules/b`.
 */
export function closure(repo: Readonly<Record<string, LockEntry>>, roots: readonly string[]): Record<string, LockEntry> {
  const resolve = (name: string, from: string): string | undefined => {
    for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (repo[candidate]) return candidate;
      if (!dir) return undefined;
    }
  };
  const out: Record<string, LockEntry> = {};
  const queue: string[] = [];
  const add = (name: string, from: string, optional = false) => {
    const key = resolve(name, from);
    if (!key) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the app'}) is not in the repository's package-lock.json`);
    }
    if (out[key]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = repo[key] as LockEntry;
    out[key] = entry;
    queue.push(key);
  };
  for (const name of roots) add(name, '');
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    const entry = repo[key] as LockEntry;
    for (const name of Object.keys(entry.dependencies ?? {})) add(name, key);
    for (const [name] of Object.entries(entry.peerDependencies ?? {}))
      add(name, key, entry.peerDependenciesMeta?.[name]?.optional === true);
    for (const name of Object.keys(entry.optionalDependencies ?? {})) add(name, key, true);
  }
  return out;
}

function main(): void {
  const [appDir, tarball] = process.argv.slice(2);
  if (!appDir || !tarball) throw new Error('usage: tsx scripts/consumer-lock.ts <app dir> <tarball>');
  const repoLock = JSON.parse(readFileSync(path.join(__dirname, '..', 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const app = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as Manifest;
  const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Manifest;
  const roots = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys({ ...app.dependencies, ...app.devDependencies }).filter((name) => name !== pkg.name),
  ];
  const lock = {
    name: app.name,
    version: app.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: app.name, version: app.version, dependencies: app.dependencies, devDependencies: app.devDependencies },
      [`node_modules/${pkg.name}`]: {
        version: pkg.version,
        resolved: `file:${path.relative(appDir, tarball)}`,
        integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
        license: pkg.license,
        dependencies: pkg.dependencies,
        engines: pkg.engines,
        peerDependencies: pkg.peerDependencies,
        peerDependenciesMeta: pkg.peerDependenciesMeta,
      },
      ...Object.fromEntries(Object.entries(closure(repoLock.packages, roots)).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
  writeFileSync(path.join(appDir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`consumer-lock: ${(error as Error).message}`);
    process.exit(1);
  }
}
