/**
 * A stand-in for the whole `vscode` module that accepts every use: each property read, call and `new` gives
 * another stand-in (numerically 0, iterating as empty, not a thenable), and every assignment is accepted and
 * dropped. Enough to run activate() in plain Node and see what it loads, not to check what it does with VS Code.
 */
export function permissiveVscode(): unknown {
  const get = (_target: object, key: string | symbol): unknown => {
    if (key === Symbol.toPrimitive) return () => 0;
    if (key === Symbol.iterator) return function* () {};
    if (key === 'then') return undefined;
    return make();
  };
  const make = (): object =>
    new Proxy(function standIn() {}, {
      get,
      set: () => true,
      apply: () => make(),
      construct: () => make(),
      // a bundle's `import * as vscode` copies the module's own keys onto an object whose prototype is the
      // module's: reads of every other key reach this stand-in through that prototype
      getPrototypeOf: () => new Proxy({}, { get }),
    });
  return make();
}
