/** The functions one UDF server offers, by name. */
import { FeatureflowError } from '../core/errors.ts';
import type { FunctionDescriptor } from './data-types.ts';
import type { WindowFunction } from './window-function.ts';

export class FunctionRegistry {
  private readonly byName = new Map<string, WindowFunction>();

  constructor(functions: readonly WindowFunction[]) {
    for (const fn of functions) {
      const name = fn.descriptor.name;
      if (this.byName.has(name)) {
        throw new FeatureflowError(
          'invalid_argument',
          `window function '${name}' is registered twice (give each function its own name)`,
        );
      }
      this.byName.set(name, fn);
    }
  }

  get(name: string): WindowFunction | undefined {
    return this.byName.get(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get descriptors(): FunctionDescriptor[] {
    return [...this.byName.values()].map((fn) => fn.descriptor);
  }
}
