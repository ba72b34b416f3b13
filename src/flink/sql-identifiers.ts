/**
 * Flink SQL identifiers as a generated job file writes them: bare where that is safe, in
 * backquotes where the name is a reserved word of Flink SQL (`timestamp`) or not a plain name.
 */

// Flink's reserved keywords that event fields plausibly use; any other unusual name is quoted by
// the pattern below.
const RESERVED = new Set(
  `all allocate alter and any array as asc at avg begin between bigint binary boolean both by call
  case cast char character check collect column commit condition constraint count create cross cube
  current date day dec decimal default delete desc describe distinct double drop else end escape every
  except exec exists explain false fetch filter first float for from full function global grant group
  having hour identity in inner insert int integer intersect interval into is join language last
  lateral leading left like limit local map max min minute module month multiset natural new no none
  not null numeric of offset on only or order out outer over partition position primary range rank
  real recursive references result return right rollup row rows second select set show similar
  smallint some sql start sum system table then time timestamp timestamp_ltz tinyint to trailing true
  union unique unknown update user using value values varchar view when where window with within
  without year`.split(/\s+/),
);

export function quoteIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name)) return name;
  return `\`${name.replaceAll('`', '``')}\``;
}
