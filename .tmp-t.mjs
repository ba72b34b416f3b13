import { register } from 'tsx/esm/api';
register();
const t0 = performance.now();
for (const m of process.argv.slice(2)) {
  const s = performance.now();
  await import(new URL(m, import.meta.url).href);
  console.log(m, Math.round(performance.now() - s));
}
console.log('total', Math.round(performance.now() - t0));
