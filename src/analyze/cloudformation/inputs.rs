//! inputs: the values a template computes from its own `Parameters` defaults and `Mappings`.
//! A property written `!Ref Protect` or `!FindInMap [AmiByRegion, !Ref AWS::Region, Ami]` reads
//! the same on both sides when only the parameter's default or the mapping changed, yet the
//! deployed value changes: a default turned from `true` to `false` drops a protection in every
//! stack deployed with the defaults, and a new AMI in a mapping replaces the instance. This
//! module substitutes those values into a resource's properties so that the comparison sees
//! them. It runs only when the two sides' inputs differ, so an ordinary change costs nothing.
//! Pure.

use super::template::{canonical, Resource};
use crate::yaml::{Node, Value};
use std::collections::HashMap;

/// A template's parameters' defaults and its mappings, canonical, built once per side.
#[derive(Debug, Default)]
pub(super) struct Inputs {
    defaults: HashMap<String, Node>,
    mappings: HashMap<String, Node>,
}

/// Which inputs a substitution reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// Only `Mappings`: the template's own values, the same in every stack.
    Mappings,
    /// `Mappings` and parameters' defaults: true only where a stack deploys with the defaults.
    Defaults,
}

impl Inputs {
    /// Reads the `Parameters` and `Mappings` sections of a template document.
    pub fn of(doc: &Node) -> Inputs {
        let defaults = doc
            .get("Parameters")
            .map(|p| {
                p.as_map()
                    .iter()
                    .filter_map(|(name, spec)| {
                        let default = spec.get("Default").filter(|d| !d.is_null())?;
                        Some((name.clone(), canonical(default)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mappings = doc
            .get("Mappings")
            .map(|m| {
                m.as_map()
                    .iter()
                    .map(|(name, map)| (name.clone(), canonical(map)))
                    .collect()
            })
            .unwrap_or_default();
        Inputs { defaults, mappings }
    }

    /// Whether the substitutions from `source` can differ between `self` and `other`.
    pub fn differ(&self, other: &Inputs, source: Source) -> bool {
        let differ = |a: &HashMap<String, Node>, b: &HashMap<String, Node>| {
            a.len() != b.len()
                || a.iter()
                    .any(|(k, v)| b.get(k).is_none_or(|w| !v.same_value(w)))
        };
        differ(&self.mappings, &other.mappings)
            || (source == Source::Defaults && differ(&self.defaults, &other.defaults))
    }

    /// The parameters whose default differs between `self` and `other`, sorted.
    pub fn changed_defaults(&self, other: &Inputs) -> Vec<String> {
        let mut names: Vec<String> = self
            .defaults
            .iter()
            .filter(|(k, v)| other.defaults.get(*k).is_some_and(|w| !v.same_value(w)))
            .map(|(k, _)| k.clone())
            .collect();
        names.sort();
        names
    }

    /// `r` with the values it reads from `source` substituted into its properties.
    pub fn resolve(&self, r: &Resource, source: Source) -> Resource {
        let mut out = r.clone();
        if let Value::Map(entries) = &mut out.node.value {
            for (key, value) in entries.iter_mut() {
                if key == "Properties" {
                    *value = self.substitute(value, source);
                }
            }
        }
        out
    }

    fn substitute(&self, node: &Node, source: Source) -> Node {
        let value = match &node.value {
            Value::Map(entries) if entries.len() == 1 => {
                let (key, arg) = (&entries[0].0, &entries[0].1);
                if let Some(found) = self.lookup(key, arg, source) {
                    // Point at the property, not at the Parameters or Mappings section.
                    return Node {
                        line: node.line,
                        end_line: node.end_line,
                        value: found.value.clone(),
                    };
                }
                Value::Map(vec![(key.clone(), self.substitute(arg, source))])
            }
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.substitute(v, source)))
                    .collect(),
            ),
            Value::Seq(items) => {
                Value::Seq(items.iter().map(|i| self.substitute(i, source)).collect())
            }
            other => other.clone(),
        };
        Node {
            line: node.line,
            end_line: node.end_line,
            value,
        }
    }

    /// The value of one intrinsic function call, when it reads the inputs: `Ref` of a
    /// parameter with a default, or `Fn::FindInMap`. A lookup whose keys are computed (the
    /// region, a parameter) yields the part of the mapping it can reach, so that any change
    /// there shows.
    fn lookup(&self, function: &str, arg: &Node, source: Source) -> Option<&Node> {
        match function {
            "Ref" if source == Source::Defaults => self.defaults.get(arg.as_str()?),
            "Fn::FindInMap" => {
                let [map, first, second, ..] = arg.as_seq() else {
                    return None;
                };
                let mut at = self.mappings.get(map.as_str()?)?;
                for key in [first, second] {
                    let Some(key) = self.key(key, source) else {
                        return Some(at);
                    };
                    at = at.get(key)?;
                }
                Some(at)
            }
            _ => None,
        }
    }

    /// A lookup key as text: a literal, or a parameter's default when defaults are read.
    fn key<'a>(&'a self, key: &'a Node, source: Source) -> Option<&'a str> {
        if let Some(text) = key.as_str() {
            return Some(text);
        }
        match (key.as_map(), source) {
            ([(function, name)], Source::Defaults) if function == "Ref" => {
                self.defaults.get(name.as_str()?)?.as_str()
            }
            _ => None,
        }
    }
}
