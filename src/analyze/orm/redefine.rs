//! redefine: a column builder chain re-applied to a column that exists, Laravel's
//! `$table->string('name', 50)->nullable()->change()` and Knex's
//! `t.string('name', 50).notNullable().alter()`. Both tools write the whole definition
//! again rather than the difference: the new type replaces the old one (which may narrow
//! it), and modifiers the chain does not repeat (`nullable`, `default`) are dropped. The
//! old definition lives in another migration, so the change is one twokey cannot judge and
//! is reported at medium, like Rails' `change_column`.
//!
//! It owns reading the chain; the frameworks say which marker ends it and what surrounds it.

use super::scan::{RawCall, Source};
use super::{or_unknown, Call, Effect};
use crate::analyze::sql;

/// The redefinition ended by `marker` (the `change`/`alter` call itself), or `None` when the
/// chain before it is not `builder.type('column', …)…`. `table` names the table the
/// builder belongs to; `what` is how the framework's marker is written in messages.
pub(crate) fn redefinition(src: &Source, call: &RawCall, table: &str, what: &str) -> Option<Call> {
    let chain = src.receiver(call.start);
    // `$table` (or `t`), then the column type with its arguments, then any modifiers.
    let [builder, definer, modifiers @ ..] = chain.as_slice() else {
        return None;
    };
    let definer_args = definer.args.clone()?;
    let args = src.inner_call_args(definer.start..definer_args.end + 1)?;
    let positional = src.positional_values(&args);
    let column = or_unknown(positional.first().cloned());
    let sizes = positional.get(1..).unwrap_or_default().join(", ");
    let new_type = if sizes.is_empty() {
        definer.name.clone()
    } else {
        format!("{}({sizes})", definer.name)
    };
    let restated: Vec<&str> = modifiers
        .iter()
        .map(|m| m.name.as_str())
        .filter(|m| {
            m.starts_with("nullable") || m.starts_with("notNull") || m.starts_with("default")
        })
        .collect();
    let kept = if restated.is_empty() {
        "restates no nullability or default, so the column loses the ones it had".to_owned()
    } else {
        format!("restates only {}", restated.join(", "))
    };
    let effect = Effect::medium(
        &sql::COLUMN_TYPE_NARROWED,
        format!(
            "{what} redefines {table}.{column} as {new_type} and {kept}; twokey cannot see the old definition from here, so the change may narrow the type and lose data: check it does not."
        ),
    );
    // The identity is the whole chain, not the bare marker call: every `->change()` has the
    // same (empty) arguments.
    let whole = RawCall {
        name: call.name,
        start: builder.start,
        args: builder.start..call.start + call.name.len(),
        line: src.line_of(builder.start),
        end_line: call.end_line,
    };
    Some(Call::found(src, &whole, effect))
}
