//! auth: what `defineAuth` sets that a Cognito user pool cannot change once created. The
//! sign-in attributes (`loginWith.email` / `phone`, Cognito's `UsernameAttributes`) and
//! which attributes are required or mutable (`userAttributes`, Cognito's `Schema`) are
//! fixed: changed, CloudFormation replaces the pool, and every user account, password and
//! attribute in it is gone.

use super::super::object::{self, Entry};
use crate::analyze::iac_program::REPLACEMENT_PROPERTY;
use crate::analyze::orm::scan::Source;
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};

struct Auth {
    /// `email`, `phone`: what users sign in with.
    login: Vec<String>,
    /// Each user attribute with its `required` and `mutable` as written (`None` unset).
    attributes: Vec<(String, Option<String>, Option<String>)>,
    line: u32,
}

fn read(src: &Source) -> Option<Auth> {
    let open = object::calls(src, "defineAuth").into_iter().next()?;
    let props = object::first_arg_object(src, open)?;
    let flag = |e: &Entry| object::code(src, e.value.clone()).to_owned();
    let login_with = object::get(&props, "loginWith");
    let login = login_with
        .map(|e| object::nested(src, e))
        .unwrap_or_default()
        .iter()
        .filter(|e| matches!(e.key.as_str(), "email" | "phone") && flag(e) != "false")
        .map(|e| e.key.clone())
        .collect();
    let attributes = object::get(&props, "userAttributes")
        .map(|e| object::nested(src, e))
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let settings = object::nested(src, a);
            let get = |k: &str| object::get(&settings, k).map(flag);
            (a.key.clone(), get("required"), get("mutable"))
        })
        .collect();
    Some(Auth {
        login,
        attributes,
        line: login_with.map_or(src.line_of(open), |e| e.line),
    })
}

fn replaced(view: &FileView, line: u32, what: String) -> Finding {
    Finding::new(
        &REPLACEMENT_PROPERTY,
        view.at(Side::Head, line, line),
        format!("{what}, which a Cognito user pool cannot change: the next deploy replaces the user pool, so every user account, password and attribute in it is lost and everyone must sign up again. Safer: keep the pool's settings; to change them, create a second pool and migrate users (a user migration Lambda trigger) in its own reviewed change."),
    )
    .with_severity(Severity::Critical)
}

pub(super) fn changes(view: &FileView, base: &Source, head: &Source) -> Vec<Finding> {
    let (Some(was), Some(now)) = (read(base), read(head)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !was.login.is_empty() && !now.login.is_empty() && was.login != now.login {
        out.push(replaced(
            view,
            now.line,
            format!(
                "`loginWith` changes what users sign in with from {} to {}",
                was.login.join(" and "),
                now.login.join(" and ")
            ),
        ));
    }
    let truthy = |v: &Option<String>| v.as_deref() == Some("true");
    for (name, required, mutable) in &now.attributes {
        let old = was.attributes.iter().find(|(n, _, _)| n == name);
        let what = match old {
            // A new attribute can only be added optional (and custom ones, mutable).
            None if truthy(required) => {
                Some(format!("User attribute `{name}` is added as required"))
            }
            Some((_, r, _)) if truthy(r) != truthy(required) => Some(format!(
                "User attribute `{name}` is made {}",
                if truthy(required) {
                    "required"
                } else {
                    "optional"
                }
            )),
            // Mutable unless it says `mutable: false`.
            Some((_, _, m))
                if (m.as_deref() == Some("false")) != (mutable.as_deref() == Some("false")) =>
            {
                Some(format!(
                    "User attribute `{name}` is made {}",
                    if mutable.as_deref() == Some("false") {
                        "immutable"
                    } else {
                        "mutable"
                    }
                ))
            }
            _ => None,
        };
        out.extend(what.map(|w| replaced(view, now.line, w)));
    }
    out
}
