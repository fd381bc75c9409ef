/**
 * Generic depth-first walk over a node-sql-parser AST. The AST's shapes differ per dialect and
 * statement, so checks look for node *properties* (a `type`, a `with` list) wherever they occur
 * instead of following each shape's documented path.
 */

export type AstNode = Record<string, unknown>;

/**
 * Calls `visit` on every object in the tree with the chain of its ancestors (nearest last).
 * `visit` returns true to stop the walk; the walk then returns true.
 */
export function walkAst(root: unknown, visit: (node: AstNode, ancestors: readonly AstNode[]) => boolean | void): boolean {
  const ancestors: AstNode[] = [];
  const seen = new WeakSet<object>();
  const go = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return false;
    seen.add(value);
    if (Array.isArray(value)) return value.some(go);
    const node = value as AstNode;
    if (visit(node, ancestors)) return true;
    ancestors.push(node);
    try {
      for (const key of Object.keys(node)) {
        if (key !== 'loc' && go(node[key])) return true;
      }
    } finally {
      ancestors.pop();
    }
    return false;
  };
  return go(root);
}

/** The names of every CTE in the tree (`WITH x AS (…)`, including nested WITH clauses), as written. */
export function cteNamesOf(ast: unknown): string[] {
  const names: string[] = [];
  walkAst(ast, (node) => {
    const list = node['with'];
    if (!Array.isArray(list)) return;
    for (const cte of list) {
      const name = (cte as { name?: unknown } | null)?.name;
      const value = typeof name === 'string' ? name : (name as { value?: unknown } | null)?.value;
      if (typeof value === 'string') names.push(value);
    }
  });
  return names;
}
