//! rollback: where the `down` code of a migration is, in the languages whose frameworks
//! put it in a function of its own: Laravel's `function down()`, Knex's `exports.down`,
//! Sequelize's `down: async (queryInterface) => …`, TypeORM's `async down(queryRunner)`,
//! EF Core's `void Down(MigrationBuilder …)` and Ecto's `def down do … end`.
//!
//! It finds the rollback and skips it, rather than finding `up` and reading only that:
//! code it cannot place (a helper, a second class, an unusual layout) is then read as
//! forward code, so what it does not understand can only add findings, never hide one.

use super::scan::{Lang, Source};
use std::ops::Range;

/// The byte ranges of the migration's rollback functions.
pub fn down_ranges(src: &Source) -> Vec<Range<usize>> {
    match src.lang {
        Lang::Elixir => elixir(src),
        _ => c_like(src),
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

fn skip_space(code: &[u8], mut i: usize) -> usize {
    while code.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The offset of the bracket that closes the one at `open`, or the end of the code when it
/// is never closed.
fn close_of(code: &[u8], open: usize) -> usize {
    super::scan::matching(code, open).unwrap_or(code.len())
}

/// `down` as a name being defined, in PHP, JavaScript/TypeScript or C#:
/// `function down(…) {`, `void Down(…) {`, `async down(q: QueryRunner): Promise<void> {`,
/// `exports.down = …`, `down: async (qi) => …`, `export async function down(knex)`.
fn c_like(src: &Source) -> Vec<Range<usize>> {
    let code = &src.code;
    let mut out = Vec::new();
    for name in [&b"down"[..], b"Down"] {
        let mut from = 0;
        while let Some(found) = code[from..].windows(name.len()).position(|w| w == name) {
            let start = from + found;
            from = start + name.len();
            let before_ok = start == 0 || !is_ident(code[start - 1]);
            let after = from;
            if !before_ok || code.get(after).is_some_and(|c| is_ident(*c)) {
                continue;
            }
            let i = skip_space(code, after);
            let body = match code.get(i) {
                // `exports.down = …`, `down: …`: the value, up to the end of the statement or
                // property.
                Some(b'=') if code.get(i + 1) != Some(&b'=') => Some(value_end(code, i + 1)),
                Some(b':') if code.get(i + 1) != Some(&b':') => Some(value_end(code, i + 1)),
                // `down(…)` followed by a body (`{`, or `: Type {`) is a definition; followed
                // by anything else it is a call.
                Some(b'(') => {
                    let params_end = close_of(code, i);
                    let j = skip_space(code, params_end + 1);
                    let body_open = match code.get(j) {
                        Some(b'{') => Some(j),
                        // A return type: `: Promise<void> {`, `: void {`.
                        Some(b':') => code[j..]
                            .iter()
                            .position(|c| matches!(c, b'{' | b';' | b'}'))
                            .map(|p| j + p)
                            .filter(|k| code[*k] == b'{'),
                        _ => None,
                    };
                    body_open.map(|open| close_of(code, open) + 1)
                }
                _ => None,
            };
            if let Some(end) = body {
                let end = end.min(code.len());
                out.push(start..end);
                from = from.max(end);
            }
        }
    }
    out
}

/// The end of a value assigned to `down`: through the first body block it opens
/// (`function (knex) { … }`, `async () => { … }`), or to the end of the statement or
/// property (`;`, `,`, a bracket it did not open, a line that does not continue a chain).
fn value_end(code: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < code.len() {
        match code[i] {
            b'{' if depth == 0 => return close_of(code, i) + 1,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            b';' | b',' if depth == 0 => return i,
            b'\n' if depth == 0 => {
                let next = skip_space(code, i);
                let continues = code.get(next).is_some_and(|c| *c == b'.');
                let started = code[from..i].iter().any(|c| !c.is_ascii_whitespace());
                if started && !continues && !ends_with_arrow(&code[from..i]) {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    code.len()
}

/// Whether the code so far ends with `=>`: an arrow function whose body starts on the next
/// line (`down: async (qi) =>` then `qi.removeColumn(…)`, as Prettier wraps a long one), so
/// the value goes on there.
fn ends_with_arrow(code: &[u8]) -> bool {
    let end = code
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    code[..end].ends_with(b"=>")
}

/// Ecto: `def down do … end` (to the `end` at the same indentation) and
/// `def down, do: …` (to the end of the line).
fn elixir(src: &Source) -> Vec<Range<usize>> {
    let text = std::str::from_utf8(&src.code).unwrap_or("");
    let mut out = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = text.split('\n').collect();
    let mut starts = Vec::with_capacity(lines.len());
    for line in &lines {
        starts.push(offset);
        offset += line.len() + 1;
    }
    for (n, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("def down") else {
            continue;
        };
        if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let start = starts[n];
        if rest.contains("do:") {
            out.push(start..start + line.len());
            continue;
        }
        let indent = line.len() - trimmed.len();
        let end = lines
            .iter()
            .enumerate()
            .skip(n + 1)
            .find(|(_, l)| {
                let t = l.trim_start();
                l.len() - t.len() == indent && (t == "end" || t.starts_with("end "))
            })
            .map_or(text.len(), |(m, l)| starts[m] + l.len());
        out.push(start..end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skipped(text: &str, lang: Lang) -> Vec<String> {
        let src = Source::new(text, lang);
        down_ranges(&src)
            .into_iter()
            .map(|r| text[r].to_owned())
            .collect()
    }

    #[test]
    fn function_bodies_and_assigned_values_are_rollbacks() {
        let php = "public function up(): void { a(); }\npublic function down(): void\n{\n    b();\n}\nfunction c() {}";
        assert_eq!(skipped(php, Lang::Php), ["down(): void\n{\n    b();\n}"]);
        let knex = "exports.up = knex => knex.schema.dropTable('a');\nexports.down = knex => knex.schema.dropTable('b')\nexports.config = {};";
        assert_eq!(
            skipped(knex, Lang::Js),
            ["down = knex => knex.schema.dropTable('b')"]
        );
        let sequelize = "module.exports = {\n  up: async (qi) => { await qi.dropTable('a') },\n  down: async (qi) => { await qi.dropTable('b') },\n};";
        assert_eq!(
            skipped(sequelize, Lang::Js),
            ["down: async (qi) => { await qi.dropTable('b') }"]
        );
    }

    #[test]
    fn an_arrow_body_wrapped_to_the_next_line_is_part_of_the_rollback() {
        let sequelize = "module.exports = {\n  up: async (qi) =>\n    qi.addColumn('u', 'age', {}),\n\n  down: async (qi) =>\n    qi.removeColumn('u', 'age'),\n};";
        assert_eq!(
            skipped(sequelize, Lang::Js),
            ["down: async (qi) =>\n    qi.removeColumn('u', 'age')"]
        );
        let knex = "export const down = (knex) =>\n  knex.schema.alterTable('u', (t) => {\n    t.dropColumn('zip');\n  });\nexport const other = 1;";
        assert_eq!(
            skipped(knex, Lang::Js),
            ["down = (knex) =>\n  knex.schema.alterTable('u', (t) => {\n    t.dropColumn('zip');\n  })"]
        );
    }

    #[test]
    fn a_call_named_down_is_not_a_rollback() {
        assert!(skipped("up() { this.down(); drop(); }", Lang::Js).is_empty());
        assert!(skipped("scaleDown(x) { a(); }", Lang::CSharp).is_empty());
    }

    #[test]
    fn ecto_down_functions_end_at_their_end() {
        let ex = "  def up do\n    drop table(:a)\n  end\n\n  def down do\n    drop table(:b)\n  end\n  def x, do: 1\n";
        assert_eq!(
            skipped(ex, Lang::Elixir),
            ["  def down do\n    drop table(:b)\n  end"]
        );
    }
}
